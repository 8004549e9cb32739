#pragma once
// SegmentFile: the open file handles of one segment (.log, .index and .timeindex). Shared between the Segment
// (owner thread) and the FlushJobs that must fsync it (flusher thread); the handles close when the last one
// lets go, so a job never syncs a closed descriptor.
//
// Thread-safety: sync() may run on any thread, concurrently with the owner's appends, reads and truncates
// through log() and index(), and with other sync() calls.
#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "millrace/protocol/result.h"
#include "millrace/storage/file.h"
#include "millrace/storage/file_system.h"

namespace millrace::storage {

class SegmentFile {
 public:
  // `created` says the files were just created, so the directory entry must be synced too.
  SegmentFile(std::unique_ptr<File> log, std::unique_ptr<File> index, std::unique_ptr<File> time_index,
              std::shared_ptr<FileSystem> file_system, std::filesystem::path directory, bool created);
  SegmentFile(const SegmentFile&) = delete;
  SegmentFile& operator=(const SegmentFile&) = delete;

  File& log() { return *log_; }
  const File& log() const { return *log_; }
  File& index() { return *index_; }
  const File& index() const { return *index_; }
  File& time_index() { return *time_index_; }
  const File& time_index() const { return *time_index_; }

  // Makes everything written so far durable: fsyncs .log, .index and .timeindex, and the directory once after
  // creation. Does nothing once the files were removed on purpose (retention, truncation).
  Status sync();
  // The same for the .log (and the directory) only: what a group commit of the active segment needs, since
  // recovery rebuilds the indexes of the segment holding the recovery point and of every later one
  // (docs/storage.md, "Flushing"). Leaves indexes_unsynced() true until the next sync().
  Status sync_log();
  // Whether a sync_log() ran since the last sync(): the indexes may still be only in the page cache.
  bool indexes_unsynced() const { return indexes_unsynced_.load(std::memory_order_acquire); }
  // The segment's files were deleted on purpose: sync() has nothing left to make durable.
  void mark_removed() { removed_ = true; }
  // How many times the .log was cut (truncated below its end) since it was opened. A FileRange remembers
  // this number; a later cut below the range's end makes it stale. The owner calls note_cut() before cutting.
  uint64_t cuts() const { return cuts_.load(std::memory_order_acquire); }
  void note_cut(int64_t position);
  // The lowest position the .log was cut to by the cuts after the first `since` (INT64_MAX if none).
  int64_t lowest_cut_since(uint64_t since) const;

 private:
  Status sync_files(bool with_indexes);

  const std::unique_ptr<File> log_;
  const std::unique_ptr<File> index_;
  const std::unique_ptr<File> time_index_;
  const std::shared_ptr<FileSystem> file_system_;
  const std::filesystem::path directory_;
  std::atomic<bool> removed_ = false;
  std::atomic<bool> indexes_unsynced_ = false;
  std::atomic<uint64_t> cuts_ = 0;
  mutable std::mutex cuts_mutex_;
  std::vector<int64_t> cut_positions_;  // guarded by cuts_mutex_; one per cut, in order (cuts are rare)
  friend class PageCacheWindow;
  int64_t cache_noted_end_ = 0;  // guarded by the noting PageCacheWindow's mutex
  std::mutex directory_mutex_;
  bool directory_sync_pending_;  // guarded by directory_mutex_
};

}  // namespace millrace::storage
