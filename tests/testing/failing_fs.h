// A file system that fails appends to RocksDB's write-ahead logs on demand, as a disk
// that errors or fills can: for tests that a failed write leaves the state whole.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace safeguard::testing {

class FailingWalFs : public rocksdb::FileSystemWrapper {
 public:
  FailingWalFs() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "FailingWalFs"; }

  // The `n`-th append to a write-ahead log from now fails (1: the next); 0: none.
  void FailAppend(int n) { countdown_ = n; }
  // An Env over this file system, for rocksdb::Options::env.
  rocksdb::Env* env() {
    if (!env_) env_ = rocksdb::NewCompositeEnv(std::shared_ptr<rocksdb::FileSystem>(this, [](auto*) {}));
    return env_.get();
  }

  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override {
    return Wrap(f, target()->NewWritableFile(f, o, r, dbg), r);
  }
  rocksdb::IOStatus ReuseWritableFile(const std::string& f, const std::string& old, const rocksdb::FileOptions& o,
                                      std::unique_ptr<rocksdb::FSWritableFile>* r,
                                      rocksdb::IODebugContext* dbg) override {
    return Wrap(f, target()->ReuseWritableFile(f, old, o, r, dbg), r);
  }

 private:
  class File : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> f, FailingWalFs* fs)
        : FSWritableFileOwnerWrapper(std::move(f)), fs_(fs) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                             rocksdb::IODebugContext* dbg) override {
      if (fs_->Fails()) return rocksdb::IOStatus::IOError("injected: the disk refused the write");
      return target()->Append(data, o, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                             const rocksdb::DataVerificationInfo& v, rocksdb::IODebugContext* dbg) override {
      if (fs_->Fails()) return rocksdb::IOStatus::IOError("injected: the disk refused the write");
      return target()->Append(data, o, v, dbg);
    }

   private:
    FailingWalFs* const fs_;
  };

  rocksdb::IOStatus Wrap(const std::string& name, rocksdb::IOStatus opened,
                         std::unique_ptr<rocksdb::FSWritableFile>* r) {
    if (opened.ok() && absl::EndsWith(name, ".log")) *r = std::make_unique<File>(std::move(*r), this);
    return opened;
  }
  bool Fails() {
    int left = countdown_.load();
    while (left > 0 && !countdown_.compare_exchange_weak(left, left - 1)) {
    }
    return left == 1;
  }

  std::atomic<int> countdown_{0};
  std::unique_ptr<rocksdb::Env> env_;
};

}  // namespace safeguard::testing
