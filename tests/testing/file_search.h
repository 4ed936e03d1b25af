// Searches every file under a directory for strings, as someone holding a copy of the
// files would: a RocksDB table file (.sst) is read record by record, each key and value
// decompressed (a table's blocks are compressed, so its raw bytes would hide a string);
// every other file (write-ahead logs, MANIFEST, info logs, OPTIONS, key files) byte for
// byte. A record is found in a table file whatever became of it since (deleted or
// overwritten later, in another file): what the file holds is what is searched.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "rocksdb/options.h"
#include "rocksdb/sst_file_reader.h"

namespace safeguard::testing {

struct FileSearch {
  std::vector<std::string> found;  // "<needle> in <path>", one per needle and file
  size_t files = 0;                // files searched
  size_t tables = 0;               // of them, RocksDB table files read record by record
};

inline FileSearch SearchFiles(const std::string& dir, const std::vector<std::string>& needles) {
  FileSearch out;
  auto search = [&](const std::string& bytes, const std::filesystem::path& path, std::vector<bool>* seen) {
    for (size_t i = 0; i < needles.size(); ++i) {
      if (!(*seen)[i] && bytes.find(needles[i]) != std::string::npos) {
        (*seen)[i] = true;
        out.found.push_back(absl::StrCat(needles[i], " in ", path.string()));
      }
    }
  };
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    ++out.files;
    std::vector<bool> seen(needles.size(), false);
    if (entry.path().extension() == ".sst") {
      ++out.tables;
      rocksdb::Options options;
      rocksdb::SstFileReader reader(options);
      if (!reader.Open(entry.path().string()).ok()) {
        out.found.push_back(absl::StrCat("(unreadable table) ", entry.path().string()));
        continue;
      }
      std::unique_ptr<rocksdb::Iterator> it(reader.NewIterator(rocksdb::ReadOptions()));
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        search(it->key().ToString(), entry.path(), &seen);
        search(it->value().ToString(), entry.path(), &seen);
      }
      continue;
    }
    std::ifstream in(entry.path(), std::ios::binary);
    search(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()), entry.path(), &seen);
  }
  return out;
}

}  // namespace safeguard::testing
