#pragma once
// RaftLog: the Raft log as the core sees it — a sequence of entries (record batches) at contiguous Kafka
// offsets [start_offset(), end_offset()), each with a term. Implementations: MemoryLog (tests, simulator) and
// SegmentedLog (a partition's segmented log on disk).
//
// Ownership: the driver owns the log. The core (RaftNode) only reads it; the driver changes it only by
// applying the LogOps of RaftNode::take_ready(), in order (log_ops.h), plus whatever a crash does to
// entries that were not flushed yet.
//
// "Appended" means visible to reads; "flushed" means durable: every entry below flushed_offset() survives a
// crash. Terms are non-decreasing along the log.
#include <cstddef>
#include <optional>
#include <vector>

#include "millrace/protocol/result.h"
#include "millrace/protocol/strong_types.h"
#include "millrace/replication/configuration.h"
#include "millrace/replication/entry.h"
#include "millrace/replication/term.h"

namespace millrace::replication {

// Where a log begins: its first offset, the term of the entry just before it (0 when the log begins at the
// beginning of history), and the configuration in force there, if it was truncated away.
struct LogStart {
  Offset offset{0};
  Term term_before{0};
  std::optional<Configuration> configuration;
  bool operator==(const LogStart&) const = default;
};

class RaftLog {
 public:
  virtual ~RaftLog() = default;

  // --- Reading (the core) ---
  virtual LogStart start() const = 0;
  Offset start_offset() const { return start().offset; }
  virtual Offset end_offset() const = 0;
  virtual Offset flushed_offset() const = 0;
  // The term of the entry holding `offset`, for offset in [start_offset() - 1, end_offset()).
  virtual Term term_at(Offset offset) const = 0;
  // The base offset of the first entry in the log (at or after the start) with the term of the entry
  // holding `offset`, which must be in [start_offset(), end_offset()).
  virtual Offset term_first_offset(Offset offset) const = 0;
  // Whole entries, starting with the one holding `from` (in [start_offset(), end_offset())): at least one,
  // then more while their total stays within `max_bytes`.
  virtual Result<std::vector<Entry>> read(Offset from, size_t max_bytes) const = 0;
  // Every configuration entry in [start_offset(), end_offset()), ascending.
  virtual std::vector<Entry> configuration_entries() const = 0;

  // --- Writing (the driver, applying LogOps) ---
  // Appends entries whose offsets and terms are set; the first must begin at end_offset().
  virtual Status append(const std::vector<Entry>& entries) = 0;
  // Removes every entry at or after `end` (an entry boundary in [start_offset(), end_offset()]).
  virtual Status truncate_suffix(Offset end) = 0;
  // Removes every entry below `start.offset` (an entry boundary in (start_offset(), end_offset()]).
  virtual Status truncate_prefix(const LogStart& start) = 0;
  // Removes every entry; the log is empty and begins at `start.offset` (a snapshot from the leader).
  virtual Status reset(const LogStart& start) = 0;
};

}  // namespace millrace::replication
