#include <cassert>

#include "millrace/storage/page_cache_window.h"
#include "millrace/storage/partition_log.h"
#include "segment_file.h"

namespace millrace::storage {

FlushJob::FlushJob(std::vector<std::shared_ptr<SegmentFile>> files, Offset flushed_up_to,
                   uint64_t truncations, std::vector<int64_t> log_ends)
    : files_(std::move(files)),
      log_ends_(std::move(log_ends)),
      flushed_up_to_(flushed_up_to),
      truncations_(truncations) {
  assert(log_ends_.empty() || log_ends_.size() == files_.size());
}

Status FlushJob::run(PageCacheWindow* window) const {
  // Every segment but the newest is synced whole (it is, or will be, below the recovery point). The newest
  // holds the recovery point if this job moves it, and recovery rebuilds its indexes: its .log suffices.
  for (size_t i = 0; i < files_.size(); ++i) {
    const bool newest = i + 1 == files_.size();
    if (Status s = newest ? files_[i]->sync_log() : files_[i]->sync(); !s) return s;
  }
  if (window != nullptr) {
    for (size_t i = 0; i < log_ends_.size(); ++i) window->note_synced(files_[i], log_ends_[i]);
  }
  return {};
}

}  // namespace millrace::storage
