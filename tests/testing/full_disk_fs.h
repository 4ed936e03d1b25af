// A file system with a fixed amount of free space, for tests of a full disk: every byte
// appended to any file (logs, tables, the manifest, RocksDB's own log) takes from it, and
// an append that does not fit fails as ENOSPC does, with IOStatus::NoSpace. Freeing space
// is raising the amount. GetFreeSpace reports it, as RocksDB's recovery asks.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace safeguard::testing {

class FullDiskFs : public rocksdb::FileSystemWrapper {
 public:
  explicit FullDiskFs(uint64_t free_bytes = uint64_t{1} << 40)
      : FileSystemWrapper(rocksdb::FileSystem::Default()), free_(free_bytes) {}
  const char* Name() const override { return "FullDiskFs"; }

  void SetFree(uint64_t bytes) { free_ = bytes; }
  uint64_t free() const { return free_; }
  // Appends refused for want of space since the start.
  uint64_t refused() const { return refused_; }

  // An Env over this file system, for rocksdb::Options::env.
  rocksdb::Env* env() {
    if (!env_) env_ = rocksdb::NewCompositeEnv(std::shared_ptr<rocksdb::FileSystem>(this, [](auto*) {}));
    return env_.get();
  }

  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r, rocksdb::IODebugContext* dbg) override {
    return Wrap(target()->NewWritableFile(f, o, r, dbg), r);
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                       std::unique_ptr<rocksdb::FSWritableFile>* r,
                                       rocksdb::IODebugContext* dbg) override {
    return Wrap(target()->ReopenWritableFile(f, o, r, dbg), r);
  }
  rocksdb::IOStatus ReuseWritableFile(const std::string& f, const std::string& old, const rocksdb::FileOptions& o,
                                      std::unique_ptr<rocksdb::FSWritableFile>* r,
                                      rocksdb::IODebugContext* dbg) override {
    return Wrap(target()->ReuseWritableFile(f, old, o, r, dbg), r);
  }
  rocksdb::IOStatus GetFreeSpace(const std::string&, const rocksdb::IOOptions&, uint64_t* free,
                                 rocksdb::IODebugContext*) override {
    *free = free_;
    return rocksdb::IOStatus::OK();
  }

 private:
  class File : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> f, FullDiskFs* fs) : FSWritableFileOwnerWrapper(std::move(f)), fs_(fs) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                             rocksdb::IODebugContext* dbg) override {
      if (!fs_->Take(data.size())) return Full();
      return target()->Append(data, o, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                             const rocksdb::DataVerificationInfo& v, rocksdb::IODebugContext* dbg) override {
      if (!fs_->Take(data.size())) return Full();
      return target()->Append(data, o, v, dbg);
    }
    rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset, const rocksdb::IOOptions& o,
                                       rocksdb::IODebugContext* dbg) override {
      if (!fs_->Take(data.size())) return Full();
      return target()->PositionedAppend(data, offset, o, dbg);
    }
    rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset, const rocksdb::IOOptions& o,
                                       const rocksdb::DataVerificationInfo& v, rocksdb::IODebugContext* dbg) override {
      if (!fs_->Take(data.size())) return Full();
      return target()->PositionedAppend(data, offset, o, v, dbg);
    }

   private:
    static rocksdb::IOStatus Full() { return rocksdb::IOStatus::NoSpace("No space left on device (injected)"); }
    FullDiskFs* const fs_;
  };

  rocksdb::IOStatus Wrap(rocksdb::IOStatus opened, std::unique_ptr<rocksdb::FSWritableFile>* r) {
    if (opened.ok()) *r = std::make_unique<File>(std::move(*r), this);
    return opened;
  }
  bool Take(uint64_t bytes) {
    uint64_t left = free_.load();
    do {
      if (bytes > left) {
        ++refused_;
        return false;
      }
    } while (!free_.compare_exchange_weak(left, left - bytes));
    return true;
  }

  std::atomic<uint64_t> free_;
  std::atomic<uint64_t> refused_{0};
  std::unique_ptr<rocksdb::Env> env_;
};

}  // namespace safeguard::testing
