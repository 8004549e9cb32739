#include "offset_index.h"

#include <algorithm>
#include <cassert>

#include "millrace/protocol/byte_order.h"
#include "millrace/storage/disk_format.h"

namespace millrace::storage {

namespace df = disk_format;
using protocol::load_be;
using protocol::store_be;

OffsetIndex::OffsetIndex(int64_t interval_bytes) : interval_bytes_(interval_bytes) {
  assert(interval_bytes > 0);
}

std::optional<OffsetIndex> OffsetIndex::decode(ByteView bytes, int64_t interval_bytes,
                                               int64_t log_size_bytes) {
  if (bytes.size() % df::kIndexEntryBytes != 0) return std::nullopt;
  OffsetIndex index(interval_bytes);
  index.entries_.reserve(bytes.size() / df::kIndexEntryBytes);
  for (size_t at = 0; at < bytes.size(); at += df::kIndexEntryBytes) {
    const IndexEntry entry{load_be<uint32_t>(bytes.data() + at + df::kIndexRelativeOffsetAt),
                           load_be<uint32_t>(bytes.data() + at + df::kIndexPositionAt)};
    if (entry.position >= log_size_bytes) return std::nullopt;
    if (!index.entries_.empty()) {
      const IndexEntry& previous = index.entries_.back();
      if (entry.relative_offset <= previous.relative_offset || entry.position <= previous.position) {
        return std::nullopt;
      }
    }
    index.entries_.push_back(entry);
  }
  index.written_count_ = index.entries_.size();
  index.last_indexed_position_ = index.last().position;
  return index;
}

void OffsetIndex::on_batch(int64_t relative_offset, int64_t position) {
  assert(relative_offset >= 0 && relative_offset <= df::kMaxRelativeOffset);
  assert(position >= 0 && position <= df::kMaxSegmentFileBytes);
  if (position - last_indexed_position_ < interval_bytes_) return;
  assert(entries_.empty() || (relative_offset > entries_.back().relative_offset &&
                              position > static_cast<int64_t>(entries_.back().position)));
  entries_.push_back({static_cast<uint32_t>(relative_offset), static_cast<uint32_t>(position)});
  last_indexed_position_ = position;
}

IndexEntry OffsetIndex::lookup(int64_t relative_offset) const {
  auto after =
      std::upper_bound(entries_.begin(), entries_.end(), relative_offset,
                       [](int64_t target, const IndexEntry& e) { return target < e.relative_offset; });
  if (after == entries_.begin()) return {};
  return *(after - 1);
}

IndexEntry OffsetIndex::lookup_position(int64_t position) const {
  auto after = std::upper_bound(
      entries_.begin(), entries_.end(), position,
      [](int64_t target, const IndexEntry& e) { return target < static_cast<int64_t>(e.position); });
  if (after == entries_.begin()) return {};
  return *(after - 1);
}

void OffsetIndex::truncate_at_position(int64_t position) {
  while (!entries_.empty() && static_cast<int64_t>(entries_.back().position) >= position) entries_.pop_back();
  written_count_ = std::min(written_count_, entries_.size());
  last_indexed_position_ = last().position;
}

IndexEntry OffsetIndex::last() const {
  return entries_.empty() ? IndexEntry{} : entries_.back();
}

Buffer OffsetIndex::encode_unwritten() const {
  return encode_from(written_count_);
}

Buffer OffsetIndex::encode_all() const {
  return encode_from(0);
}

Buffer OffsetIndex::encode_from(size_t first) const {
  assert(first <= entries_.size());
  Buffer bytes((entries_.size() - first) * df::kIndexEntryBytes);
  char* out = bytes.data();
  for (size_t i = first; i < entries_.size(); ++i, out += df::kIndexEntryBytes) {
    store_be<uint32_t>(out + df::kIndexRelativeOffsetAt, entries_[i].relative_offset);
    store_be<uint32_t>(out + df::kIndexPositionAt, entries_[i].position);
  }
  return bytes;
}

}  // namespace millrace::storage
