#pragma once
// Segment: one `<base>.log` + `<base>.index` pair and what the owner thread knows about it — its logical
// size, next offset and sparse offset index. Appends go to the end of the .log in one write; index entries
// are kept in memory and appended to the .index file by write_unwritten_index_entries() (at flush and roll).
//
// Reads never look past size_bytes(), so bytes a failed write left behind are never visible.
// Not thread-safe: owner thread only. The SegmentFile it shares with FlushJobs is safe to sync() elsewhere.
#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <utility>

#include "millrace/protocol/bytes.h"
#include "millrace/protocol/record_batch.h"
#include "millrace/protocol/result.h"
#include "millrace/protocol/strong_types.h"
#include "millrace/storage/file_system.h"
#include "millrace/storage/log_config.h"
#include "offset_index.h"
#include "segment_file.h"
#include "time_index.h"

namespace millrace::storage {

// Where a batch starts in a segment's .log, and its header.
struct BatchLocation {
  int64_t position = 0;
  protocol::RecordBatchHeader header;
};

class Segment {
 public:
  // Creates the files of a new, empty segment (failing if they exist).
  static Result<std::unique_ptr<Segment>> create(const std::shared_ptr<FileSystem>& file_system,
                                                 const std::filesystem::path& directory, Offset base_offset,
                                                 const LogConfig& config);
  // Opens an existing segment's .log (and its .index, creating it if missing). Until restore() the segment
  // looks empty; establishing its real state is the loader's job.
  static Result<std::unique_ptr<Segment>> open(const std::shared_ptr<FileSystem>& file_system,
                                               const std::filesystem::path& directory, Offset base_offset,
                                               const LogConfig& config);

  Offset base_offset() const { return base_offset_; }
  Offset next_offset() const { return next_offset_; }  // after the last batch; == base_offset() when empty
  int64_t size_bytes() const { return size_bytes_; }
  bool empty() const { return size_bytes_ == 0; }
  bool index_file_was_missing() const { return index_file_was_missing_; }
  // True after a failed append whose partial write could not be truncated away: appends must stop.
  bool has_unclean_tail() const { return has_unclean_tail_; }
  const std::shared_ptr<SegmentFile>& files() const { return files_; }
  const OffsetIndex& index() const { return index_; }
  const std::filesystem::path& log_path() const { return files_->log().path(); }
  // Bytes in the .log file, which can exceed size_bytes() before recovery or after a failed append.
  int64_t log_file_bytes() const { return files_->log().size(); }

  // Whether `bytes` more bytes, the last of them at offset `last_offset`, belong in this segment rather than
  // a new one: always when empty, otherwise if it stays within `segment_bytes` and the index's offset range.
  bool fits(int64_t bytes, Offset last_offset, int64_t segment_bytes) const;

  // Writes whole batches whose offsets are assigned (they end at `next_offset`) with one write. On error
  // truncates the file back so that nothing of `batches` remains, and returns the write's error.
  Status append(ByteView batches, Offset next_offset);

  // The header of the batch at `position`; corrupt_data if it does not fit inside size_bytes().
  Result<protocol::RecordBatchHeader> read_header(int64_t position) const;
  // The batch containing `offset`, which must be in [base_offset(), next_offset()): index lookup, then a scan
  // of batch headers forward from the entry.
  Result<BatchLocation> find_batch(Offset offset) const;
  // Where the first batch with base offset >= `up_to` starts (size_bytes() if there is none).
  Result<int64_t> position_of_first_batch_at_or_after(Offset up_to) const;
  // The end of the longest run of whole batches that starts with the batch `first` and ends at or before
  // `limit` (a byte position), but at least `first` itself; with the offset after the run's last batch.
  // Jumps to the last index entry at or before `limit`, then reads batch headers forward (none when `limit`
  // is at or past the segment end).
  Result<std::pair<int64_t, Offset>> whole_batches_end(const BatchLocation& first, int64_t limit) const;
  // The largest record timestamp in the segment (-1 if empty).
  int64_t max_timestamp_ms() const { return time_index_.max_timestamp_ms(); }
  // The first batch whose largest timestamp is at least `timestamp_ms` (nullopt if none): time index lookup,
  // then a scan of batch headers forward.
  Result<std::optional<BatchLocation>> find_batch_by_timestamp(int64_t timestamp_ms) const;
  // Loads the .timeindex and folds in the batches after its last entry, or rebuilds it from every batch
  // header (rewriting the file) if it is missing or malformed. Call once the segment's state is established.
  Status load_time_index(const LogConfig& config);

  // Reads exactly into.size() bytes at `position`, which must lie inside size_bytes().
  Status read_exact(int64_t position, MutableByteView into) const;

  // The whole .index file as it is on disk.
  Result<Buffer> read_index_file() const;
  // Appends index entries added since the last call to the .index file.
  Status write_unwritten_index_entries();

  // Cuts the segment so that it ends at `new_end` (a batch boundary in [base_offset(), next_offset()]),
  // rewrites its .index and fsyncs both files. invalid_argument if `new_end` is not a batch boundary.
  Status truncate_to(Offset new_end);
  // Deletes the segment's .log and .index files (open handles, e.g. in FlushJobs, stay valid).
  Status remove_files();

  // Loader only: establishes the state found on disk, with `index` already in the .index file.
  void restore(int64_t size_bytes, Offset next_offset, OffsetIndex index);
  // Loader only: replaces the .index file with `index` and restores the state.
  Status restore_and_rewrite_index(int64_t size_bytes, Offset next_offset, OffsetIndex index);
  // Loader only: cuts the .log file to `size_bytes` (a torn or corrupt tail).
  Status truncate_log(int64_t size_bytes);

 private:
  Segment(Offset base_offset, const LogConfig& config, std::shared_ptr<SegmentFile> files,
          bool index_file_was_missing);
  static Result<std::unique_ptr<Segment>> open_files(const std::shared_ptr<FileSystem>& file_system,
                                                     const std::filesystem::path& directory,
                                                     Offset base_offset, const LogConfig& config,
                                                     bool create);
  // Indexes appended batches and remembers the last few (recent_).
  void index_batches(ByteView batches, int64_t start_position);
  void forget_recent() { recent_.fill(BatchLocation{-1, {}}); }
  // Feeds the time index every batch from `position` to the end (reading headers).
  Status fold_time_index_from(int64_t position);
  // The same, from the batch of the time index's last entry: restores the running maximum after a decode or
  // a cut, reading only the headers after that entry.
  Status fold_time_index_after_last_entry();
  // Where the batch of a time index entry starts (0 for the empty entry: the segment start).
  Result<int64_t> position_of(const TimeIndexEntry& entry) const;
  // Replaces the .timeindex file with every entry in memory.
  Status rewrite_time_index_file();

  const Offset base_offset_;
  Offset next_offset_;
  int64_t size_bytes_ = 0;
  OffsetIndex index_;
  TimeIndex time_index_;
  const std::shared_ptr<SegmentFile> files_;
  const bool index_file_was_missing_;
  bool has_unclean_tail_ = false;
  // The last batches appended (a ring), so that find_batch() answers a tailing reader without reading the
  // file; emptied by a truncation. An empty slot has position -1 and an empty offset range.
  std::array<BatchLocation, 8> recent_;  // filled empty by the constructor (forget_recent)
  size_t recent_next_ = 0;
};

}  // namespace millrace::storage
