#include "millrace/replication/memory_log.h"

#include <algorithm>
#include <cassert>
#include <string>

#include "millrace/replication/errc.h"

namespace millrace::replication {

MemoryLog::MemoryLog(LogStart start) : start_(std::move(start)), flushed_(start_.offset) {}

Offset MemoryLog::end_offset() const {
  return entries_.empty() ? start_.offset : entries_.back().end_offset();
}

std::vector<Entry>::const_iterator MemoryLog::find(Offset offset) const {
  auto after = std::upper_bound(entries_.begin(), entries_.end(), offset,
                                [](Offset o, const Entry& e) { return o < e.base_offset; });
  return after == entries_.begin() ? entries_.end() : after - 1;
}

const Entry* MemoryLog::entry_holding(Offset offset) const {
  auto it = find(offset);
  if (it == entries_.end() || offset > it->last_offset) return nullptr;
  return &*it;
}

Term MemoryLog::term_at(Offset offset) const {
  assert(offset >= Offset{start_.offset.value - 1} && offset < end_offset());
  if (offset < start_.offset) return start_.term_before;
  return terms_.term_at(offset);
}

Offset MemoryLog::term_first_offset(Offset offset) const {
  assert(offset >= start_.offset && offset < end_offset());
  return terms_.term_first_offset(offset);
}

Result<std::vector<Entry>> MemoryLog::read(Offset from, size_t max_bytes) const {
  if (from < start_.offset || from >= end_offset()) {
    return make_error(errc::offset_out_of_range, "read at " + std::to_string(from.value));
  }
  std::vector<Entry> out;
  size_t bytes = 0;
  for (auto it = find(from); it != entries_.end(); ++it) {
    if (!out.empty() && bytes + it->size_bytes() > max_bytes) break;
    bytes += it->size_bytes();
    out.push_back(*it);
  }
  return out;
}

std::vector<Entry> MemoryLog::configuration_entries() const {
  std::vector<Entry> out;
  for (const Entry& entry : entries_) {
    if (entry.kind == EntryKind::configuration) out.push_back(entry);
  }
  return out;
}

Status MemoryLog::append(const std::vector<Entry>& entries) {
  for (const Entry& entry : entries) {
    if (entry.base_offset != end_offset() || entry.last_offset < entry.base_offset ||
        (!entries_.empty() && entry.term < entries_.back().term) || entry.term < start_.term_before) {
      return make_error(errc::invalid_argument, "append at " + std::to_string(entry.base_offset.value) +
                                                    " does not continue the log at " +
                                                    std::to_string(end_offset().value));
    }
    terms_.on_append(entry.term, entry.base_offset);
    entries_.push_back(entry);
  }
  return {};
}

Status MemoryLog::truncate_suffix(Offset end) {
  auto first_removed = std::lower_bound(entries_.begin(), entries_.end(), end,
                                        [](const Entry& e, Offset o) { return e.base_offset < o; });
  if (end < start_.offset || (first_removed != entries_.end() && first_removed->base_offset != end) ||
      end > end_offset()) {
    return make_error(errc::invalid_argument, "truncate_suffix at " + std::to_string(end.value) +
                                                  " is not an entry boundary of the log");
  }
  entries_.erase(first_removed, entries_.end());
  terms_.truncate_suffix(end);
  flushed_ = std::min(flushed_, end);
  ++generation_;
  return {};
}

Status MemoryLog::truncate_prefix(const LogStart& start) {
  auto first_kept = std::lower_bound(entries_.begin(), entries_.end(), start.offset,
                                     [](const Entry& e, Offset o) { return e.base_offset < o; });
  if (start.offset <= start_.offset || start.offset > end_offset() ||
      (first_kept != entries_.end() && first_kept->base_offset != start.offset)) {
    return make_error(errc::invalid_argument, "truncate_prefix at " + std::to_string(start.offset.value) +
                                                  " is not an entry boundary of the log");
  }
  entries_.erase(entries_.begin(), first_kept);
  terms_.truncate_prefix(start.offset);
  if (entries_.empty()) terms_.clear();
  start_ = start;
  flushed_ = std::max(flushed_, start.offset);
  return {};
}

Status MemoryLog::reset(const LogStart& start) {
  entries_.clear();
  terms_.clear();
  start_ = start;
  flushed_ = start.offset;
  ++generation_;
  return {};
}

void MemoryLog::complete_flush(const FlushTicket& ticket) {
  if (ticket.generation != generation_) return;
  assert(ticket.up_to <= end_offset());
  flushed_ = std::max(flushed_, ticket.up_to);
}

void MemoryLog::crash() {
  if (flushed_ < end_offset()) (void)truncate_suffix(flushed_);
}

}  // namespace millrace::replication
