#pragma once
// TimeIndex: a segment's sparse time index in memory — (largest timestamp so far, relative offset of the
// batch where it was seen) pairs, strictly increasing in both — plus the segment's running largest timestamp.
// Encodes to and decodes from the .timeindex format (disk_format.h).
//
// Indexing rule: fed every batch in order; adds an entry when a batch starts at least interval_bytes after
// the previous entry's batch (the offset index's rule) and the largest timestamp has grown since the last
// entry. Not thread-safe (the owner thread's).
#include <cstdint>
#include <optional>
#include <vector>

#include "millrace/protocol/bytes.h"

namespace millrace::storage {

struct TimeIndexEntry {
  int64_t timestamp_ms = -1;
  uint32_t relative_offset = 0;
};

class TimeIndex {
 public:
  explicit TimeIndex(int64_t interval_bytes) : interval_bytes_(interval_bytes) {}

  // Decodes a whole .timeindex file. nullopt if malformed: size not a multiple of the entry size, entries not
  // strictly increasing in both fields, or a relative offset at or past `relative_end`.
  static std::optional<TimeIndex> decode(ByteView bytes, int64_t interval_bytes, int64_t relative_end);

  // Called for every batch of the segment, in order (after decode(): for every batch after the last entry's).
  void on_batch(int64_t relative_offset, int64_t position, int64_t max_timestamp_ms);

  // The largest timestamp in the segment, -1 if it holds no batch.
  int64_t max_timestamp_ms() const { return max_timestamp_ms_; }
  // The last entry whose timestamp is below `timestamp_ms` ({-1, 0}, the segment start, if none): every
  // record before its batch is older than `timestamp_ms`, so a search for the first record at or after it can
  // start there.
  TimeIndexEntry lookup_before(int64_t timestamp_ms) const;
  TimeIndexEntry last() const;
  // Forgets the entries at or after `relative_offset` (the log is being cut there); the running maximum falls
  // back to the last surviving entry's, and the caller feeds the batches after it again.
  void truncate_at(int64_t relative_offset);

  bool has_unwritten() const { return written_count_ < entries_.size(); }
  Buffer encode_unwritten() const { return encode_from(written_count_); }
  Buffer encode_all() const { return encode_from(0); }
  void mark_written() { written_count_ = entries_.size(); }
  size_t entry_count() const { return entries_.size(); }

 private:
  Buffer encode_from(size_t first) const;

  std::vector<TimeIndexEntry> entries_;
  size_t written_count_ = 0;
  int64_t interval_bytes_;
  int64_t last_indexed_position_ = -1;  // position of the batch of the last entry; -1: none yet
  int64_t max_timestamp_ms_ = -1;
  int64_t max_timestamp_relative_offset_ = 0;
};

}  // namespace millrace::storage
