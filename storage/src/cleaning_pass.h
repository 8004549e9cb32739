#pragma once
// CleaningPass: one compaction pass over a partition's closed segments (the work behind CleaningJob::run).
//
//   1. Map: read the dirty batches (offsets at or after the cleaner checkpoint, in the closed segments) and
//      record each key's latest offset in a KeyOffsetMap, until the segments end or the map is full. The
//      mapped range [dirty_start, mapped_up_to) ends at a batch boundary.
//   2. Clean: rewrite every segment from the log start up to the one holding mapped_up_to - 1 with
//      SegmentCompactor, keeping a record unless a later offset of its key is in the map, or it is a
//      tombstone below mapped_up_to older than delete.retention.ms. Segments that would not change are
//      skipped; the others get `.cleaned` copies of their .log, .index and .timeindex, fsynced.
//
// Reads only the segment files it holds (shared ownership) up to their sizes at prepare time. Runs on the
// cleaner thread; finish_cleaning() on the owner thread reads its results after run() returned.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

#include "cleaner_checkpoint_file.h"
#include "key_offset_map.h"
#include "millrace/storage/cleaning_job.h"
#include "millrace/storage/log_config.h"
#include "segment_batch_reader.h"
#include "segment_file.h"

namespace millrace::storage {

// A closed segment as it was when the pass was prepared.
struct CleaningInput {
  Offset base_offset;
  Offset next_offset;
  int64_t size_bytes = 0;
  std::shared_ptr<SegmentFile> files;
};

class CleaningPass {
 public:
  CleaningPass(std::filesystem::path directory, const LogConfig& config, const CleaningOptions& options,
               std::vector<CleaningInput> inputs, Offset dirty_start, uint64_t truncations);

  Status run(const std::atomic<bool>* cancel);

  // After run():
  bool succeeded() const { return succeeded_; }
  const Error& failure() const { return failure_; }
  const std::vector<CleaningInput>& inputs() const { return inputs_; }
  // Base offsets of the segments that have .cleaned copies.
  const std::vector<Offset>& rewritten() const { return rewritten_; }
  CleanerCheckpoint new_checkpoint() const { return {stats_.mapped_up_to, oldest_tombstone_ms_}; }
  uint64_t truncations() const { return truncations_; }
  const std::filesystem::path& directory() const { return directory_; }
  CleaningStats& stats() { return stats_; }

 private:
  Status build_map(KeyOffsetMap& map);
  Status clean_segment(const CleaningInput& input, const KeyOffsetMap& map);
  Status throttle_and_check(int64_t bytes);
  // Reads `input`'s batches in order, throttled and checking for cancellation between reads, handing each to
  // `on_batch`, which returns false to stop early.
  Status for_each_batch(const CleaningInput& input,
                        const std::function<Result<bool>(const ReadBatch&)>& on_batch);

  const std::filesystem::path directory_;
  const LogConfig config_;
  const CleaningOptions options_;
  const std::vector<CleaningInput> inputs_;
  const Offset dirty_start_;
  const uint64_t truncations_;
  const std::atomic<bool>* cancel_ = nullptr;
  std::chrono::steady_clock::time_point started_;
  bool tombstone_removal_allowed_ = true;  // false after a batch whose records cannot be seen
  int64_t oldest_tombstone_ms_ = -1;
  std::vector<Offset> rewritten_;
  CleaningStats stats_;
  bool succeeded_ = false;
  Error failure_;
};

}  // namespace millrace::storage
