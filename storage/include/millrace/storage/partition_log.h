#pragma once
// PartitionLog: one partition's segmented, append-only log of RecordBatch v2 bytes.
//
// On disk: a directory `<topic>-<partition>/` of segments named by base offset (20 digits, zero-padded):
// `NNN.log` (batches as produced, base offsets rewritten), `NNN.index` (sparse: 4-byte relative offset +
// 4-byte file position every index_interval_bytes). See docs/storage.md.
//
// Threading: one owner thread calls every method except FlushJob::run(), which the flusher thread may run
// concurrently with appends (it only fsyncs files the job holds shared ownership of).
//
// "Appended" means written to the page cache and readable by read(); "durable" means fsynced:
// every offset below flushed_offset() is durable.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "millrace/protocol/bytes.h"
#include "millrace/protocol/result.h"
#include "millrace/protocol/strong_types.h"
#include "millrace/storage/cleaning_job.h"
#include "millrace/storage/file_range.h"
#include "millrace/storage/file_system.h"
#include "millrace/storage/log_config.h"

namespace millrace::storage {

class SegmentFile;  // internal: an open segment's file handles
class PageCacheWindow;

struct AppendResult {
  Offset base_offset;  // offset assigned to the first record of the first batch
  Offset last_offset;  // offset of the last record of the last batch
};

// The result of a read: whole batches starting at the batch that contains the requested offset.
// What apply_retention() removed.
struct RetentionResult {
  int32_t segments_deleted = 0;
  int64_t bytes_deleted = 0;
};

struct ReadResult {
  Buffer bytes;
  Offset next_offset;  // offset after the last batch returned (== requested offset when bytes is empty)
};

// The same result as file ranges (file_range.h), for sending without a copy: the ranges, in order, hold
// exactly the bytes read() would return.
struct RangeReadResult {
  std::vector<FileRange> ranges;  // whole batches; empty when nothing was read
  Offset next_offset;             // as ReadResult::next_offset

  size_t size_bytes() const {
    size_t total = 0;
    for (const FileRange& range : ranges) total += static_cast<size_t>(range.length());
    return total;
  }
};

// An fsync of everything appended so far, prepared on the owner thread and run on the flusher thread.
class FlushJob {
 public:
  FlushJob() = default;
  // `truncations`: how many truncations the log had made when the job was prepared.
  // `log_ends`: each file's .log size when the job was prepared (what the job makes durable), or empty.
  FlushJob(std::vector<std::shared_ptr<SegmentFile>> files, Offset flushed_up_to, uint64_t truncations = 0,
           std::vector<int64_t> log_ends = {});
  // fsyncs the files: whole for every segment but the newest, its .log only (docs/storage.md, "Flushing").
  // Then, if `window` is given, notes what it synced there (which may drop older data from the page cache).
  // Thread-safe with respect to the log's owner thread.
  Status run(PageCacheWindow* window = nullptr) const;
  Offset flushed_up_to() const { return flushed_up_to_; }  // next offset after the last durable record
  bool empty() const { return files_.empty(); }
  uint64_t truncations() const { return truncations_; }

 private:
  std::vector<std::shared_ptr<SegmentFile>> files_;
  std::vector<int64_t> log_ends_;  // parallel to files_, or empty
  Offset flushed_up_to_{0};
  uint64_t truncations_ = 0;
};

class PartitionLog {
 public:
  // Opens the partition directory, creating it if missing. Without a clean-shutdown marker, validates the
  // batches after the last recovery point, truncates a torn tail, rebuilds indexes. Removes the marker
  // (it is written again by close()). Every file is opened and synced through `file_system` (nullptr: the
  // real one), which the log keeps alive as long as it or a FlushJob of it needs it. Errors: corrupt_data
  // (naming the file and byte position) if a batch is damaged anywhere but in a torn tail (docs/storage.md,
  // "Recovery"); I/O errors as they come.
  static Result<std::unique_ptr<PartitionLog>> open(const std::filesystem::path& dir, const LogConfig& config,
                                                    std::shared_ptr<FileSystem> file_system = nullptr);
  ~PartitionLog();
  PartitionLog(const PartitionLog&) = delete;
  PartitionLog& operator=(const PartitionLog&) = delete;

  // Appends one or more whole, already validated batches (concatenated). Assigns offsets from
  // log_end_offset() by rewriting each batch's base offset in `batches` (which is why it is mutable).
  // Rolls to a new segment first if the active one would exceed segment_bytes.
  // On error nothing of `batches` is visible to read().
  Result<AppendResult> append(MutableByteView batches);

  // Reads whole batches starting at the batch containing `offset`, up to `max_bytes` (but always at least
  // one whole batch if any exists at `offset`). Reads stop at `up_to` (exclusive; e.g. the high watermark).
  // Errors: offset_out_of_range if offset < log_start_offset() or offset > log_end_offset().
  // The bytes are not checked against their CRCs here: batches are checked when appended and by recovery
  // (docs/storage.md, "What is checked where").
  Result<ReadResult> read(Offset offset, size_t max_bytes, Offset up_to) const;
  // The same read, bounded by the same rules, as ranges of the segment file instead of bytes (no data is
  // copied; batch headers are read to find where the whole batches end). Today a result holds at most one
  // range, as a read never spans two segments. The ranges stay readable after the segment is deleted; see
  // file_range.h for what a later truncation does to them.
  Result<RangeReadResult> read_ranges(Offset offset, size_t max_bytes, Offset up_to) const;

  // Prepares an fsync of everything appended so far (empty job if nothing new).
  FlushJob prepare_flush();
  // Records that a FlushJob completed: offsets below `up_to` are durable. Also persists the recovery point.
  // Must not be given the flushed_up_to() of a job prepared before a truncation (use the overload below).
  void mark_flushed(Offset up_to);
  // As above with job.flushed_up_to(), but ignores a job prepared before a truncate_to() or
  // truncate_fully(): the batches it covered may have been replaced by ones it did not sync.
  void mark_flushed(const FlushJob& job);

  // Removes every batch at or after `new_end`, which must be a batch boundary in
  // [log_start_offset(), log_end_offset()] (invalid_argument otherwise; offset_out_of_range outside it).
  // Deletes the segments that start at or after it (keeping the first segment, emptied, if need be) and cuts
  // the one holding it. Durable on return: the cut segment is fsynced, the directory too, and the recovery
  // point is lowered to the new end if it was above it (so is flushed_offset()). Index entries past the cut
  // are dropped and the .index file rewritten. For Raft followers cutting a divergent suffix.
  Status truncate_to(Offset new_end);
  // Deletes every segment and starts the log afresh, empty, at `new_start` (a Raft follower installing a
  // snapshot: Kafka's truncateFullyAndStartAt). Durable on return; flushed_offset() becomes `new_start`.
  Status truncate_fully(Offset new_start);

  // The earliest offset whose record timestamp is at least `timestamp_ms` (Kafka's ListOffsets by time);
  // nullopt if every record is older. Uses the segments' time indexes, then decodes one batch.
  Result<std::optional<Offset>> offset_for_timestamp(int64_t timestamp_ms) const;

  // Changes the settings an open log may change: segment_bytes and segment-age rolling apply to the next
  // append; index_interval_bytes to segments created from now on. Invalid settings are refused.
  Status set_config(const LogConfig& config);

  // Rolls the active segment if it holds data and has held data for at least `segment_ms` by `now_ms`. Its
  // age counts from the first call that saw it non-empty (the owner calls this periodically), so a segment
  // rolls at most one check interval after segment_ms. Times are the caller's, in ms; storage reads no clock.
  Status roll_if_older(int64_t now_ms, int64_t segment_ms);

  // Deletes whole closed segments, oldest first, while either limit says so: `retention_ms` >= 0 deletes a
  // segment whose newest record timestamp is before now_ms - retention_ms (Kafka's rule); `retention_bytes`
  // >= 0 deletes the oldest while the log without it is still at least that large. Never deletes the active
  // segment. The log start offset advances to the first remaining segment's base offset; reads below it are
  // offset_out_of_range.
  // `delete_below` bounds what may go: a segment is deleted only if every offset it holds is below it (a
  // replicated partition passes its high watermark, so only committed entries are deleted).
  Result<RetentionResult> apply_retention(int64_t now_ms, int64_t retention_ms, int64_t retention_bytes,
                                          Offset delete_below = Offset{INT64_MAX});

  // ---- Log compaction (cleaning_job.h, docs/storage.md "Compaction") ----
  // A pass over the closed segments wholly below options.clean_up_to, if the dirty ratio (bytes at or after
  // the cleaner checkpoint / cleanable bytes) reaches options.min_dirty_ratio or a tombstone left by an
  // earlier pass is due for removal; nullopt otherwise, or while another pass of this log is outstanding.
  std::optional<CleaningJob> prepare_cleaning(const CleaningOptions& options);
  // After job.run() returned: if the rewritten segments are still in the log unchanged (no retention or
  // truncation meanwhile), swaps in their cleaned copies (crash-safe) and advances the cleaner checkpoint;
  // otherwise deletes the copies and says why in stats().abandoned. An error means the swap failed part-way:
  // the log is closed and must be reopened (which finishes the swap).
  Result<CleaningStats> finish_cleaning(CleaningJob& job);

  Offset log_start_offset() const;
  Offset log_end_offset() const;  // next offset to be assigned
  Offset flushed_offset() const;
  int64_t size_bytes() const;
  int32_t segment_count() const;
  const std::filesystem::path& directory() const;

  // Flushes synchronously and writes the clean-shutdown marker. Further calls fail.
  Status close();

 private:
  class Impl;
  explicit PartitionLog(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace millrace::storage
