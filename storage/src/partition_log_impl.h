#pragma once
// PartitionLog::Impl: the log's state — its segments (the last one active), the flushed offset and whether it
// is closed — and the append, read and flush paths. Contract as for PartitionLog; owner thread only.
#include <memory>
#include <optional>
#include <vector>

#include "cleaner_checkpoint_file.h"
#include "log_directory.h"
#include "log_loader.h"
#include "millrace/storage/partition_log.h"

namespace millrace::storage {

class CleaningPass;
class Segment;

// The error every operation on a closed log returns.
Error closed_error(const LogDirectory& directory);

class PartitionLog::Impl {
 public:
  // invalid_argument unless every setting is within its limits (segment_bytes up to kMaxSegmentFileBytes).
  static Status validate(const LogConfig& config);

  Impl(LogDirectory directory, const LogConfig& config, LoadedLog loaded);
  ~Impl();

  Result<AppendResult> append(MutableByteView batches);
  Result<ReadResult> read(Offset offset, size_t max_bytes, Offset up_to) const;
  Result<RangeReadResult> read_ranges(Offset offset, size_t max_bytes, Offset up_to) const;
  FlushJob prepare_flush();
  void mark_flushed(Offset up_to);
  void mark_flushed(const FlushJob& job);
  Status truncate_to(Offset new_end);
  Status truncate_fully(Offset new_start);
  Status close();
  Status set_config(const LogConfig& config);
  Result<std::optional<Offset>> offset_for_timestamp(int64_t timestamp_ms) const;
  Status roll_if_older(int64_t now_ms, int64_t segment_ms);
  Result<RetentionResult> apply_retention(int64_t now_ms, int64_t retention_ms, int64_t retention_bytes,
                                          Offset delete_below);
  // Compaction (partition_log_cleaning.cc).
  std::optional<CleaningJob> prepare_cleaning(const CleaningOptions& options);
  Result<CleaningStats> finish_cleaning(CleaningJob& job);

  Offset log_start_offset() const;
  Offset log_end_offset() const;
  Offset flushed_offset() const { return flushed_offset_; }
  int64_t size_bytes() const;
  int32_t segment_count() const { return static_cast<int32_t>(segments_.size()); }
  const std::filesystem::path& directory() const { return directory_.path(); }

 private:
  Segment& active() { return *segments_.back(); }
  // The last segment whose base offset is at most `offset` (nullptr below the first segment).
  const Segment* segment_at(Offset offset) const;
  // The segment holding `offset`, which must be inside the log.
  const Segment& segment_containing(Offset offset) const;
  Status roll();
  Status write_unwritten_index_entries();
  Status after_truncation();
  // Base offset of the segment an offset falls in (-1 below the first segment).
  Offset segment_base_at(Offset offset) const;
  // Compaction (partition_log_cleaning.cc).
  const CleanerCheckpoint& cleaner_checkpoint();
  // Lowers the cleaner checkpoint to the log end after a truncation (offsets above it were never mapped).
  Status clamp_cleaner_checkpoint();
  // Index in segments_ of the closed segment that `pass` read at `base`, if it is still there unchanged.
  std::optional<size_t> unchanged_closed_segment(const CleaningPass& pass, Offset base) const;
  Status reopen_segment(size_t index);

  const LogDirectory directory_;
  LogConfig config_;
  std::vector<std::unique_ptr<Segment>> segments_;  // ascending base offsets; never empty
  Offset flushed_offset_;
  Offset recovery_point_written_;  // the recovery point last written to its file
  bool closed_ = false;
  uint64_t truncations_ = 0;  // FlushJobs prepared before the latest truncation are stale
  std::optional<int64_t> active_holds_data_since_ms_;  // segment.ms: when roll_if_older first saw data
  // Compaction: at most one pass outstanding; the checkpoint is read from its file on first use.
  bool cleaning_outstanding_ = false;
  std::optional<CleanerCheckpoint> cleaner_checkpoint_;
};

}  // namespace millrace::storage
