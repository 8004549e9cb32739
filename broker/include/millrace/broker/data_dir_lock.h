#pragma once
// DataDirLock: an exclusive lock on the data directory (flock on "<data_dir>/.lock"), so two brokers never
// share one directory. Creating it also proves the directory is writable.
#include <filesystem>
#include <memory>

#include "millrace/protocol/result.h"

namespace millrace::broker {

class DataDirLock {
 public:
  // Creates the directory if needed. Errors (broker errc::data_dir_unusable) say why.
  static Result<std::unique_ptr<DataDirLock>> acquire(const std::filesystem::path& data_dir);
  ~DataDirLock();
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace millrace::broker
