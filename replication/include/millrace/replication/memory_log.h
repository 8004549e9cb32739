#pragma once
// MemoryLog: a RaftLog in memory, for unit tests and the simulator. It models a disk: entries are appended
// to a volatile tail, prepare_flush()/complete_flush() make them durable after the driver's chosen delay, and
// crash() loses whatever was not flushed. Truncations, prefix truncation and reset take effect at once and
// survive crashes (like the hard state, they are small metadata writes).
//
// A flush prepared before a truncate_suffix() or reset() is stale: completing it changes nothing, because the
// entries it covered may have been replaced (the same rule as storage::PartitionLog::mark_flushed(FlushJob)).
// Not thread-safe.
#include <cstdint>
#include <vector>

#include "millrace/replication/raft_log.h"
#include "millrace/replication/term_index.h"

namespace millrace::replication {

class MemoryLog final : public RaftLog {
 public:
  explicit MemoryLog(LogStart start = {});

  LogStart start() const override { return start_; }
  Offset end_offset() const override;
  Offset flushed_offset() const override { return flushed_; }
  Term term_at(Offset offset) const override;
  Offset term_first_offset(Offset offset) const override;
  Result<std::vector<Entry>> read(Offset from, size_t max_bytes) const override;
  std::vector<Entry> configuration_entries() const override;

  Status append(const std::vector<Entry>& entries) override;
  Status truncate_suffix(Offset end) override;
  Status truncate_prefix(const LogStart& start) override;
  Status reset(const LogStart& start) override;

  struct FlushTicket {
    Offset up_to;
    uint64_t generation;
  };
  // Captures "everything appended so far".
  FlushTicket prepare_flush() const { return {end_offset(), generation_}; }
  // Marks the ticket's entries durable, unless the log was truncated or reset since prepare_flush().
  void complete_flush(const FlushTicket& ticket);
  // Loses every entry at or after flushed_offset().
  void crash();

  const std::vector<Entry>& entries() const { return entries_; }
  // The entry holding `offset`, or nullptr if none does.
  const Entry* entry_holding(Offset offset) const;

 private:
  std::vector<Entry>::const_iterator find(Offset offset) const;

  LogStart start_;
  std::vector<Entry> entries_;  // contiguous from start_.offset
  TermIndex terms_;
  Offset flushed_;
  uint64_t generation_ = 0;  // bumped by every truncate_suffix() and reset()
};

}  // namespace millrace::replication
