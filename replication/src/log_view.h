#pragma once
// LogView: the core's view of its log — the driver's RaftLog plus the changes the core has made since the
// last take_ready() (which the driver has not applied yet). Every change is also recorded as a LogOp for the
// driver. After take_ops() the view assumes the driver applies those ops before the core's next input.
// Not thread-safe (the RaftNode's).
#include <cstddef>
#include <optional>
#include <vector>

#include "millrace/replication/log_ops.h"
#include "millrace/replication/raft_log.h"

namespace millrace::replication {

class LogView {
 public:
  explicit LogView(const RaftLog& stable);

  LogStart start() const;
  Offset start_offset() const { return start().offset; }
  Offset end_offset() const;
  // The end below which the driver's log already holds what the view shows (pending appends are above it).
  Offset stable_end() const;
  Term term_at(Offset offset) const;  // offset in [start_offset() - 1, end_offset())
  Term last_term() const { return term_at(Offset{end_offset().value - 1}); }
  Offset term_first_offset(Offset offset) const;  // offset in [start_offset(), end_offset())
  // Whole entries from the one holding `from`: at least one, then more within `max_bytes`.
  Result<std::vector<Entry>> read(Offset from, size_t max_bytes) const;
  // Whether the log holds an entry of `term` ending at `end` - 1 (or `end` is the start with that term
  // before).
  bool matches(Offset end, Term term) const;

  void append(Entry entry);
  void truncate_suffix(Offset end);
  void truncate_prefix(const LogStart& start);
  void reset(const LogStart& start);

  bool has_ops() const { return !ops_.empty(); }
  std::vector<LogOp> take_ops();

 private:
  const RaftLog& stable_;
  std::optional<LogStart> start_;   // a pending prefix truncation or reset
  std::optional<Offset> kept_end_;  // stable entries at or after this are cut off
  std::vector<Entry> appended_;     // pending appends, contiguous up to end_offset()
  std::vector<LogOp> ops_;
};

}  // namespace millrace::replication
