#include "millrace/storage/partition_log.h"
#include "segment_file.h"

namespace millrace::storage {

FlushJob::FlushJob(std::vector<std::shared_ptr<SegmentFile>> files, Offset flushed_up_to,
                   uint64_t truncations)
    : files_(std::move(files)), flushed_up_to_(flushed_up_to), truncations_(truncations) {}

Status FlushJob::run() const {
  for (const auto& file : files_) {
    if (Status s = file->sync(); !s) return s;
  }
  return {};
}

}  // namespace millrace::storage
