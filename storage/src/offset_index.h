#pragma once
// OffsetIndex: a segment's sparse offset index in memory — sorted (relative offset, file position) pairs,
// each naming where a batch starts. Encodes to and decodes from the .index file format (disk_format.h).
//
// Indexing rule: a batch gets an entry when it starts at least interval_bytes after the previous entry's
// position (or after the segment start). So at most interval_bytes + one batch of log follow the last entry.
// Not thread-safe (the owner thread's).
#include <cstdint>
#include <optional>
#include <vector>

#include "millrace/protocol/bytes.h"

namespace millrace::storage {

struct IndexEntry {
  uint32_t relative_offset = 0;  // batch base offset minus the segment's base offset
  uint32_t position = 0;         // byte position of the batch in the .log file
};

class OffsetIndex {
 public:
  explicit OffsetIndex(int64_t interval_bytes);

  // Decodes a whole .index file. nullopt if malformed: size not a multiple of the entry size, entries not
  // strictly increasing in both fields, or a position at or past `log_size_bytes`.
  static std::optional<OffsetIndex> decode(ByteView bytes, int64_t interval_bytes, int64_t log_size_bytes);

  // Called for every batch written to the segment, in order. Adds an entry if the indexing rule says so.
  void on_batch(int64_t relative_offset, int64_t position);

  // The last entry whose relative offset is <= `relative_offset`; {0, 0} (the segment start) if none.
  IndexEntry lookup(int64_t relative_offset) const;
  // The last entry whose position is <= `position`; {0, 0} (the segment start) if none.
  IndexEntry lookup_position(int64_t position) const;
  // Forgets the entries at or after `position` (the log is being cut there). Unwritten-ness is kept only for
  // surviving entries; the caller rewrites the .index file.
  void truncate_at_position(int64_t position);
  // The last entry, or {0, 0} if there is none.
  IndexEntry last() const;
  size_t entry_count() const { return entries_.size(); }

  // Entries added since the last mark_written(), encoded for appending to the .index file.
  bool has_unwritten() const { return written_count_ < entries_.size(); }
  Buffer encode_unwritten() const;
  Buffer encode_all() const;
  void mark_written() { written_count_ = entries_.size(); }

 private:
  Buffer encode_from(size_t first) const;

  std::vector<IndexEntry> entries_;
  size_t written_count_ = 0;  // entries_[0, written_count_) are in the .index file
  int64_t interval_bytes_;
  int64_t last_indexed_position_ = 0;
};

}  // namespace millrace::storage
