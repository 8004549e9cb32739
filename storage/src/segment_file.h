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
  // The segment's files were deleted on purpose: sync() has nothing left to make durable.
  void mark_removed() { removed_ = true; }

 private:
  Status sync_files();

  const std::unique_ptr<File> log_;
  const std::unique_ptr<File> index_;
  const std::unique_ptr<File> time_index_;
  const std::shared_ptr<FileSystem> file_system_;
  const std::filesystem::path directory_;
  std::atomic<bool> removed_ = false;
  std::mutex directory_mutex_;
  bool directory_sync_pending_;  // guarded by directory_mutex_
};

}  // namespace millrace::storage
