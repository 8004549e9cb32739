#include "millrace/storage/partition_log.h"
#include "segment_file.h"

namespace millrace::storage {

FlushJob::FlushJob(std::vector<std::shared_ptr<SegmentFile>> files, Offset flushed_up_to,
                   uint64_t truncations)
    : files_(std::move(files)), flushed_up_to_(flushed_up_to), truncations_(truncations) {}

Status FlushJob::run() const {
  // Every segment but the newest is synced whole (it is, or will be, below the recovery point). The newest
  // holds the recovery point if this job moves it, and recovery rebuilds its indexes: its .log suffices.
  for (size_t i = 0; i < files_.size(); ++i) {
    const bool newest = i + 1 == files_.size();
    if (Status s = newest ? files_[i]->sync_log() : files_[i]->sync(); !s) return s;
  }
  return {};
}

}  // namespace millrace::storage
