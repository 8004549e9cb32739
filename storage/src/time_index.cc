#include "time_index.h"

#include <algorithm>

#include "millrace/protocol/byte_order.h"
#include "millrace/storage/disk_format.h"

namespace millrace::storage {

namespace df = disk_format;
using protocol::load_be;
using protocol::store_be;

std::optional<TimeIndex> TimeIndex::decode(ByteView bytes, int64_t interval_bytes, int64_t relative_end) {
  if (bytes.size() % df::kTimeIndexEntryBytes != 0) return std::nullopt;
  TimeIndex index(interval_bytes);
  for (size_t at = 0; at < bytes.size(); at += df::kTimeIndexEntryBytes) {
    TimeIndexEntry e;
    e.timestamp_ms = load_be<int64_t>(bytes.data() + at + df::kTimeIndexTimestampAt);
    e.relative_offset = load_be<uint32_t>(bytes.data() + at + df::kTimeIndexRelativeOffsetAt);
    if (int64_t{e.relative_offset} >= relative_end) return std::nullopt;
    if (!index.entries_.empty()) {
      const TimeIndexEntry& prev = index.entries_.back();
      if (e.timestamp_ms <= prev.timestamp_ms || e.relative_offset <= prev.relative_offset)
        return std::nullopt;
    }
    index.entries_.push_back(e);
  }
  index.written_count_ = index.entries_.size();
  if (!index.entries_.empty()) {
    index.max_timestamp_ms_ = index.entries_.back().timestamp_ms;
    index.max_timestamp_relative_offset_ = index.entries_.back().relative_offset;
  }
  return index;
}

void TimeIndex::on_batch(int64_t relative_offset, int64_t position, int64_t max_timestamp_ms) {
  if (max_timestamp_ms > max_timestamp_ms_) {
    max_timestamp_ms_ = max_timestamp_ms;
    max_timestamp_relative_offset_ = relative_offset;
  }
  const bool due = last_indexed_position_ < 0 ? position >= interval_bytes_
                                              : position - last_indexed_position_ >= interval_bytes_;
  const bool grown = entries_.empty() || max_timestamp_ms_ > entries_.back().timestamp_ms;
  if (!due || !grown) return;
  if (!entries_.empty() && max_timestamp_relative_offset_ <= entries_.back().relative_offset) return;
  entries_.push_back({max_timestamp_ms_, static_cast<uint32_t>(max_timestamp_relative_offset_)});
  last_indexed_position_ = position;
}

TimeIndexEntry TimeIndex::lookup_before(int64_t timestamp_ms) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), timestamp_ms,
                             [](const TimeIndexEntry& e, int64_t ts) { return e.timestamp_ms < ts; });
  if (it == entries_.begin()) return {};
  return *(it - 1);
}

TimeIndexEntry TimeIndex::last() const {
  return entries_.empty() ? TimeIndexEntry{} : entries_.back();
}

void TimeIndex::truncate_at(int64_t relative_offset) {
  while (!entries_.empty() && int64_t{entries_.back().relative_offset} >= relative_offset)
    entries_.pop_back();
  written_count_ = std::min(written_count_, entries_.size());
  max_timestamp_ms_ = entries_.empty() ? -1 : entries_.back().timestamp_ms;
  max_timestamp_relative_offset_ = entries_.empty() ? 0 : entries_.back().relative_offset;
  last_indexed_position_ = -1;  // unknown after a cut; the next entry waits for another interval
}

Buffer TimeIndex::encode_from(size_t first) const {
  Buffer out((entries_.size() - first) * df::kTimeIndexEntryBytes);
  char* p = out.data();
  for (size_t i = first; i < entries_.size(); ++i, p += df::kTimeIndexEntryBytes) {
    store_be<int64_t>(p + df::kTimeIndexTimestampAt, entries_[i].timestamp_ms);
    store_be<uint32_t>(p + df::kTimeIndexRelativeOffsetAt, entries_[i].relative_offset);
  }
  return out;
}

}  // namespace millrace::storage
