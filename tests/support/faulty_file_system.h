#pragma once
// FaultyFileSystem: a storage::FileSystem for tests that sits in front of the real one (files live in a real
// temporary directory, so directory listing, renames and removals stay real) and injects the faults a disk
// can produce:
//
//   - disk full: a free-space budget; an append that does not fit writes the prefix that fits, then fails
//     with ENOSPC, as a real disk does; truncation gives space back;
//   - a failed write: the next append writes a chosen prefix (possibly nothing) and fails with a chosen errno
//     (EIO, ENOSPC); or every append fails;
//   - a failed fsync (EIO): sync() fails and makes nothing durable;
//   - a read-only directory: opening any file under it fails with EROFS, and so do appends, truncates and
//     syncs of files under it that are already open (a file system remounted read-only);
//   - a crash: every file written through it loses what was not fsynced (it is cut to its last synced size),
//     optionally keeping a prefix of the unsynced bytes: a torn write at a chosen byte.
//
// It tracks, per file, the size written and the size made durable by the last successful sync(). Limits of
// the model: a crash keeps directory entries (created, renamed and removed files stay as they are), and a
// rewrite in place of synced bytes is not undone (storage only appends and truncates).
//
// Thread-safety: every method may be called from any thread (the flusher's syncs race the owner's appends).
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "millrace/storage/file_system.h"

namespace millrace::testing {

class FaultyFileSystem final : public storage::FileSystem,
                               public std::enable_shared_from_this<FaultyFileSystem> {
 public:
  // Create with std::make_shared: open files keep it alive.
  explicit FaultyFileSystem(std::shared_ptr<storage::FileSystem> real = storage::posix_file_system());

  Result<std::unique_ptr<storage::File>> open(const std::filesystem::path& path,
                                              storage::OpenMode mode) override;
  Status sync_directory(const std::filesystem::path& directory) override;

  // Disk full: appends may use `bytes` more bytes from now on (truncates give space back).
  void set_free_bytes(int64_t bytes);
  // Space is back: no limit.
  void unlimited_space();
  // The next append writes its first `prefix_bytes` bytes (or all, if fewer) and fails with `error_number`.
  void fail_next_write(int error_number, size_t prefix_bytes = 0);
  // Every append from now on fails with `error_number` (0: stop failing), writing nothing.
  void fail_writes(int error_number);
  // Every truncate from now on fails with `error_number` (0: stop failing): a partial write cannot be undone.
  void fail_truncates(int error_number);
  // Every sync from now on fails with `error_number` (0: stop failing), making nothing durable.
  void fail_syncs(int error_number);
  // Files under `directory` behave as on a read-only file system (EROFS) until set_writable().
  void set_read_only(const std::filesystem::path& directory);
  void set_writable();

  // Simulates a machine crash: each file written through this file system is cut to its last synced size
  // plus at most `keep_unsynced_bytes` of what followed (a torn write). Call with no log open on it.
  void crash(int64_t keep_unsynced_bytes = 0);

  int64_t writes() const;  // appends attempted
  int64_t syncs() const;   // syncs that succeeded

 private:
  class FaultyFile;
  struct FileState {
    int64_t size = 0;     // bytes written (as the file layer sees it)
    int64_t durable = 0;  // what survives a crash
  };

  // Called by FaultyFile with the lock held.
  std::optional<Error> check_writable(const std::filesystem::path& path) const;

  const std::shared_ptr<storage::FileSystem> real_;
  mutable std::mutex mutex_;
  std::map<std::filesystem::path, FileState> files_;
  std::optional<int64_t> free_bytes_;
  std::optional<std::pair<int, size_t>> next_write_failure_;  // (errno, prefix bytes)
  int write_error_ = 0;
  int sync_error_ = 0;
  int truncate_error_ = 0;
  std::optional<std::filesystem::path> read_only_;
  int64_t writes_ = 0;
  int64_t syncs_ = 0;
};

}  // namespace millrace::testing
