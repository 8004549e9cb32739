#pragma once
// Log compaction (cleanup.policy=compact): one cleaning pass of one partition, in three steps like a flush.
//
//   owner thread:    std::optional<CleaningJob> job = log.prepare_cleaning(options);
//   cleaner thread:  job->run(&cancel);       reads closed segments, writes cleaned copies to temp files
//   owner thread:    log.finish_cleaning(*job);  verifies the segments are unchanged, swaps them in
//
// A pass keeps the latest record of every key (and, until delete.retention.ms has passed, tombstones), keeps
// every offset unchanged (emptied batches stay as zero-record batches) and never touches the active segment.
// See docs/storage.md, "Compaction", for the algorithm and the crash-safe swap protocol.
//
// Thread-safety: run() may run on any thread, concurrently with the owner's appends, reads, flushes and even
// the log's destruction (it holds shared ownership of the segment files it reads). Everything else: owner.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "millrace/protocol/result.h"
#include "millrace/protocol/strong_types.h"

namespace millrace::storage {

class CleaningPass;  // internal: the pass's inputs, algorithm and outputs

struct CleaningOptions {
  int64_t now_ms = 0;                        // the caller's clock (storage reads none)
  int64_t delete_retention_ms = 86'400'000;  // tombstones older than this (record timestamp) are removed
  Offset clean_up_to{0};               // only segments wholly below this (the committed / high watermark)
  double min_dirty_ratio = 0.5;        // dirty bytes / cleanable bytes needed to start a pass
  int64_t key_map_bytes = 64LL << 20;  // memory for the key -> latest offset map (bounds one pass)
  int64_t io_bytes_per_second = -1;    // read throttle for run(); -1: unlimited
};

// What a pass did (filled by run(), completed by finish_cleaning()).
struct CleaningStats {
  int32_t segments_rewritten = 0;
  int64_t bytes_read = 0;
  int64_t bytes_before = 0;  // of the rewritten segments
  int64_t bytes_after = 0;
  int64_t records_removed = 0;
  int64_t tombstones_removed = 0;
  Offset mapped_up_to{0};  // the new cleaner checkpoint
  bool swapped = false;    // finish_cleaning() replaced the segments
  std::string abandoned;   // why finish_cleaning() did not (empty if it did or there was nothing to do)
};

class CleaningJob {
 public:
  explicit CleaningJob(std::shared_ptr<CleaningPass> pass);
  // Builds the key map and writes the cleaned segments to temporary files. Stops early (with an error) once
  // `*cancel` is true. Any thread; call once.
  Status run(const std::atomic<bool>* cancel = nullptr);
  const CleaningStats& stats() const;
  CleaningPass& pass() { return *pass_; }

 private:
  std::shared_ptr<CleaningPass> pass_;
};

}  // namespace millrace::storage
