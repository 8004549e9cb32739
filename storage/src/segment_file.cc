#include "segment_file.h"

#include <cassert>

#include "millrace/storage/posix_file.h"

namespace millrace::storage {

SegmentFile::SegmentFile(std::unique_ptr<File> log, std::unique_ptr<File> index,
                         std::filesystem::path directory, bool created)
    : log_(std::move(log)),
      index_(std::move(index)),
      directory_(std::move(directory)),
      directory_sync_pending_(created) {
  assert(log_ != nullptr && index_ != nullptr);
}

Status SegmentFile::sync() {
  if (Status s = log_->sync(); !s) return s;
  if (Status s = index_->sync(); !s) return s;
  std::lock_guard lock(directory_mutex_);
  if (directory_sync_pending_) {
    if (Status s = PosixFile::sync_directory(directory_); !s) return s;
    directory_sync_pending_ = false;
  }
  return {};
}

}  // namespace millrace::storage
