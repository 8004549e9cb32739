#include "segment_file.h"

#include <algorithm>
#include <cassert>
#include <limits>

namespace millrace::storage {

SegmentFile::SegmentFile(std::unique_ptr<File> log, std::unique_ptr<File> index,
                         std::unique_ptr<File> time_index, std::shared_ptr<FileSystem> file_system,
                         std::filesystem::path directory, bool created)
    : log_(std::move(log)),
      index_(std::move(index)),
      time_index_(std::move(time_index)),
      file_system_(std::move(file_system)),
      directory_(std::move(directory)),
      directory_sync_pending_(created) {
  assert(log_ != nullptr && index_ != nullptr && time_index_ != nullptr && file_system_ != nullptr);
}

void SegmentFile::note_cut(int64_t position) {
  std::lock_guard lock(cuts_mutex_);
  cut_positions_.push_back(position);
  cuts_.fetch_add(1, std::memory_order_acq_rel);
}

int64_t SegmentFile::lowest_cut_since(uint64_t since) const {
  std::lock_guard lock(cuts_mutex_);
  int64_t lowest = std::numeric_limits<int64_t>::max();
  for (size_t i = static_cast<size_t>(since); i < cut_positions_.size(); ++i) {
    lowest = std::min(lowest, cut_positions_[i]);
  }
  return lowest;
}

Status SegmentFile::sync() {
  if (removed_) return {};
  Status s = sync_files(true);
  // Retention or a truncation may remove the files (mark_removed() first) while this runs on the flusher
  // thread; the sync then sees a deleted file, which loses nothing that was meant to be kept.
  if (!s && removed_) return {};
  return s;
}

Status SegmentFile::sync_log() {
  if (removed_) return {};
  Status s = sync_files(false);
  if (!s && removed_) return {};
  return s;
}

Status SegmentFile::sync_files(bool with_indexes) {
  // Set before the syncs, so a concurrent sync_log() can only leave it set (the safe side).
  indexes_unsynced_.store(!with_indexes, std::memory_order_release);
  if (Status s = log_->sync(); !s) return s;
  if (with_indexes) {
    Status s = index_->sync();
    if (s) s = time_index_->sync();
    if (!s) {
      indexes_unsynced_.store(true, std::memory_order_release);
      return s;
    }
  }
  std::lock_guard lock(directory_mutex_);
  if (directory_sync_pending_) {
    if (Status s = file_system_->sync_directory(directory_); !s) return s;
    directory_sync_pending_ = false;
  }
  return {};
}

}  // namespace millrace::storage
