#pragma once
// Entry: one Raft log entry, which is exactly one Kafka record batch (design brief, decision 4).
//
// The entry's position is the batch's offset range [base_offset, last_offset]: Raft positions are Kafka
// offsets, and an entry with n records takes n offsets. Its term is the batch's partition-leader-epoch field.
// Term no-ops and configurations are control batches (control_batch.h); consumers skip them.
//
// `batch` holds the whole batch with base offset and epoch already written; the other fields repeat what is
// in its header so the core never parses bytes twice.
#include <cstddef>

#include "millrace/protocol/bytes.h"
#include "millrace/protocol/result.h"
#include "millrace/protocol/strong_types.h"
#include "millrace/replication/term.h"

namespace millrace::replication {

enum class EntryKind : uint8_t {
  data,           // a producer's batch
  term_start,     // the no-op a new leader appends at the start of its term (a control batch)
  configuration,  // a membership configuration (a control batch)
};

struct Entry {
  Offset base_offset{0};
  Offset last_offset{0};
  Term term{0};
  EntryKind kind = EntryKind::data;
  Buffer batch;

  Offset end_offset() const { return next(last_offset); }
  size_t size_bytes() const { return batch.size(); }

  // Reads base offset, last offset, term (partition-leader-epoch) and kind from a whole batch.
  // invalid_batch if `batch` is not exactly one batch with a sane header (CRC is not checked here).
  static Result<Entry> from_batch(Buffer batch);

  bool operator==(const Entry&) const = default;
};

}  // namespace millrace::replication
