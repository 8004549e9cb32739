#pragma once
// BoundedFileSystem: a FileSystem decorator that keeps the number of open descriptors near a limit, so a node
// can hold far more segments (10,000 partitions × .log/.index/.timeindex) than the process may open.
//
// Every File it returns is a handle that opens the underlying file on first use and may be closed again by
// the decorator when it is idle; the next use reopens it by path. The promise:
// - A handle is never closed while an operation on it runs, nor while a descriptor lease (lease_descriptor(),
//   taken by a file range on its way to sendfile) is held, nor while it holds writes (appends, truncations)
//   not yet made durable by a successful sync(): closing a descriptor with unsynced data could lose a write
//   error that the next fsync must report. So the limit is soft: open handles beyond it are the busy and the
//   dirty and leased ones, and idle clean ones are closed least recently used first.
// - A reopened handle must find the same file (device and inode) at its path; if the file was removed or
//   replaced meanwhile (retention, a compaction swap) the operation fails with errc::io_error and a message
//   saying so, instead of touching another file.
// - Semantics are otherwise those of the wrapped FileSystem's File (size() is the handle's own count).
//
// Thread-safety: as File and FileSystem require; one mutex guards the handle table, held for bookkeeping and
// for open/close system calls, never for reads, writes or fsyncs.
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>

#include "millrace/storage/file_system.h"

namespace millrace::storage {

struct OpenFileStats {
  size_t handles = 0;      // live File handles
  size_t open = 0;         // of those, with an open descriptor
  uint64_t reopens = 0;    // descriptors opened again after being closed
  uint64_t evictions = 0;  // descriptors closed to stay under the limit
};

class BoundedFileSystem final : public FileSystem, public std::enable_shared_from_this<BoundedFileSystem> {
 public:
  // At most `max_open` descriptors (at least 1) while handles are idle and clean.
  static std::shared_ptr<BoundedFileSystem> create(std::shared_ptr<FileSystem> inner, size_t max_open);

  Result<std::unique_ptr<File>> open(const std::filesystem::path& path, OpenMode mode) override;
  Status sync_directory(const std::filesystem::path& directory) override;

  OpenFileStats stats() const;
  size_t max_open() const { return max_open_; }

  class Handle;

 private:
  BoundedFileSystem(std::shared_ptr<FileSystem> inner, size_t max_open);

  // Called with mutex_ held: closes idle clean handles, least recently used first, while over the limit.
  void evict_locked();

  friend class Handle;
  const std::shared_ptr<FileSystem> inner_;
  const size_t max_open_;
  mutable std::mutex mutex_;
  std::list<Handle*> idle_;  // open, unpinned and clean; most recently used at the front
  OpenFileStats stats_;
};

}  // namespace millrace::storage
