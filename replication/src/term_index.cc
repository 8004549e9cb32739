#include "millrace/replication/term_index.h"

#include <algorithm>
#include <cassert>

namespace millrace::replication {

void TermIndex::on_append(Term term, Offset base_offset) {
  if (!ranges_.empty()) {
    assert(term >= ranges_.back().term && base_offset > ranges_.back().first);
    if (term == ranges_.back().term) return;
  }
  ranges_.push_back({term, base_offset});
}

void TermIndex::truncate_suffix(Offset end) {
  while (!ranges_.empty() && ranges_.back().first >= end) ranges_.pop_back();
}

void TermIndex::truncate_prefix(Offset start) {
  auto holding = ranges_.begin();
  while (holding + 1 < ranges_.end() && (holding + 1)->first <= start) ++holding;
  ranges_.erase(ranges_.begin(), holding);
  if (!ranges_.empty() && ranges_.front().first < start) ranges_.front().first = start;
}

std::vector<TermIndex::Range>::const_iterator TermIndex::range_holding(Offset offset) const {
  auto after = std::upper_bound(ranges_.begin(), ranges_.end(), offset,
                                [](Offset o, const Range& r) { return o < r.first; });
  assert(after != ranges_.begin());
  return after - 1;
}

Term TermIndex::term_at(Offset offset) const {
  return range_holding(offset)->term;
}

Offset TermIndex::term_first_offset(Offset offset) const {
  return range_holding(offset)->first;
}

}  // namespace millrace::replication
