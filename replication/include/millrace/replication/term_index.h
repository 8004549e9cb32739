#pragma once
// TermIndex: where each term begins in a log — (term, first offset) pairs, ascending in both. Terms never
// decrease along a Raft log, so a log with thousands of entries has only a handful of pairs. Both log
// implementations use it to answer term_at() and term_first_offset() without reading entries.
// Not thread-safe.
#include <vector>

#include "millrace/protocol/strong_types.h"
#include "millrace/replication/term.h"

namespace millrace::replication {

class TermIndex {
 public:
  // Records an entry of `term` at `base_offset`, after every entry recorded so far.
  void on_append(Term term, Offset base_offset);
  // Forgets entries at or after `end`.
  void truncate_suffix(Offset end);
  // Forgets entries below `start` (the term holding `start` now begins there).
  void truncate_prefix(Offset start);
  void clear() { ranges_.clear(); }

  bool empty() const { return ranges_.empty(); }
  // The term of the entry holding `offset`, which must be at or after the first recorded entry.
  Term term_at(Offset offset) const;
  // Where the term of the entry holding `offset` begins.
  Offset term_first_offset(Offset offset) const;

 private:
  struct Range {
    Term term;
    Offset first;
  };
  std::vector<Range>::const_iterator range_holding(Offset offset) const;

  std::vector<Range> ranges_;
};

}  // namespace millrace::replication
