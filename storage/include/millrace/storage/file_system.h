#pragma once
// FileSystem: where storage gets its File handles and how it makes directory entries durable. PartitionLog
// takes one at open (default: posix_file_system()), so that tests can put a fault-injecting layer between the
// log and the disk (disk full, I/O errors, failed fsyncs, torn writes, a crash that loses unsynced data).
// Directory listing, renames and removals go to std::filesystem directly.
//
// Thread-safety: open() is called from a log's owner thread; sync_directory() also from flusher threads, so
// implementations must allow that concurrently.
#include <filesystem>
#include <memory>

#include "millrace/protocol/result.h"
#include "millrace/storage/file.h"

namespace millrace::storage {

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Opens (or creates, per `mode`) a file for reading and writing. errc::not_found for open_existing on a
  // missing file.
  virtual Result<std::unique_ptr<File>> open(const std::filesystem::path& path, OpenMode mode) = 0;
  // fsyncs a directory, making the creation, renaming or removal of its entries durable.
  virtual Status sync_directory(const std::filesystem::path& directory) = 0;
};

// The real file system (PosixFile). One shared instance.
std::shared_ptr<FileSystem> posix_file_system();

}  // namespace millrace::storage
