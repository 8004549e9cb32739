#include "segment_file.h"

#include <cassert>

#include "millrace/storage/posix_file.h"

namespace millrace::storage {

SegmentFile::SegmentFile(std::unique_ptr<File> log, std::unique_ptr<File> index,
                         std::unique_ptr<File> time_index, std::filesystem::path directory, bool created)
    : log_(std::move(log)),
      index_(std::move(index)),
      time_index_(std::move(time_index)),
      directory_(std::move(directory)),
      directory_sync_pending_(created) {
  assert(log_ != nullptr && index_ != nullptr && time_index_ != nullptr);
}

Status SegmentFile::sync() {
  if (Status s = log_->sync(); !s) return s;
  if (Status s = index_->sync(); !s) return s;
  if (Status s = time_index_->sync(); !s) return s;
  std::lock_guard lock(directory_mutex_);
  if (directory_sync_pending_) {
    if (Status s = PosixFile::sync_directory(directory_); !s) return s;
    directory_sync_pending_ = false;
  }
  return {};
}

}  // namespace millrace::storage
