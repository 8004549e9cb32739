#include "log_view.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace millrace::replication {

LogView::LogView(const RaftLog& stable) : stable_(stable) {}

LogStart LogView::start() const {
  return start_ ? *start_ : stable_.start();
}

Offset LogView::stable_end() const {
  const Offset end = kept_end_ ? std::min(*kept_end_, stable_.end_offset()) : stable_.end_offset();
  return std::max(end, start_offset());
}

Offset LogView::end_offset() const {
  return appended_.empty() ? stable_end() : appended_.back().end_offset();
}

Term LogView::term_at(Offset offset) const {
  const LogStart s = start();
  assert(offset.value >= s.offset.value - 1 && offset < end_offset());
  if (offset < s.offset) return s.term_before;
  if (!appended_.empty() && offset >= appended_.front().base_offset) {
    auto after = std::upper_bound(appended_.begin(), appended_.end(), offset,
                                  [](Offset o, const Entry& e) { return o < e.base_offset; });
    return (after - 1)->term;
  }
  return stable_.term_at(offset);
}

Offset LogView::term_first_offset(Offset offset) const {
  assert(offset >= start_offset() && offset < end_offset());
  const Term term = term_at(offset);
  if (!appended_.empty() && offset >= appended_.front().base_offset) {
    auto it = std::upper_bound(appended_.begin(), appended_.end(), offset,
                               [](Offset o, const Entry& e) { return o < e.base_offset; }) -
              1;
    while (it != appended_.begin() && (it - 1)->term == term) --it;
    const Offset first = it->base_offset;
    if (it != appended_.begin() || first <= start_offset() || term_at(Offset{first.value - 1}) != term) {
      return first;
    }
    offset = Offset{first.value - 1};  // the term continues below the pending appends
  }
  return std::max(stable_.term_first_offset(offset), start_offset());
}

Result<std::vector<Entry>> LogView::read(Offset from, size_t max_bytes) const {
  assert(from >= start_offset() && from < end_offset());
  std::vector<Entry> out;
  size_t bytes = 0;
  const Offset stable_visible_end = stable_end();
  if (from < stable_visible_end) {
    auto stable = stable_.read(from, max_bytes);
    if (!stable) return std::move(stable).error();
    for (Entry& entry : *stable) {
      if (entry.base_offset >= stable_visible_end) break;
      bytes += entry.size_bytes();
      out.push_back(std::move(entry));
    }
    if (out.empty() || out.back().end_offset() < stable_visible_end) return out;
  }
  for (const Entry& entry : appended_) {
    if (entry.end_offset() <= from) continue;
    if (!out.empty() && bytes + entry.size_bytes() > max_bytes) break;
    bytes += entry.size_bytes();
    out.push_back(entry);
  }
  return out;
}

bool LogView::matches(Offset end, Term term) const {
  if (end.value < start_offset().value || end > end_offset()) return false;
  return term_at(Offset{end.value - 1}) == term;
}

void LogView::append(Entry entry) {
  assert(entry.base_offset == end_offset());
  assert(end_offset() == start_offset() || entry.term >= last_term());
  if (ops_.empty() || !std::holds_alternative<AppendOp>(ops_.back())) ops_.emplace_back(AppendOp{});
  std::get<AppendOp>(ops_.back()).entries.push_back(entry);
  appended_.push_back(std::move(entry));
}

void LogView::truncate_suffix(Offset end) {
  assert(end >= start_offset() && end <= end_offset());
  if (!appended_.empty() && end >= appended_.front().base_offset) {
    appended_.erase(std::find_if(appended_.begin(), appended_.end(),
                                 [end](const Entry& e) { return e.base_offset >= end; }),
                    appended_.end());
  } else {
    appended_.clear();
    kept_end_ = kept_end_ ? std::min(*kept_end_, end) : end;
  }
  ops_.emplace_back(TruncateSuffixOp{end});
}

void LogView::truncate_prefix(const LogStart& start) {
  assert(start.offset > start_offset() && start.offset <= end_offset());
  start_ = start;
  ops_.emplace_back(TruncatePrefixOp{start});
}

void LogView::reset(const LogStart& start) {
  appended_.clear();
  kept_end_ = stable_.start_offset();
  start_ = start;
  ops_.emplace_back(ResetOp{start});
}

std::vector<LogOp> LogView::take_ops() {
  start_.reset();
  kept_end_.reset();
  appended_.clear();
  return std::exchange(ops_, {});
}

}  // namespace millrace::replication
