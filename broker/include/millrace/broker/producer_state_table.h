#pragma once
// ProducerStateTable: what a partition leader remembers about idempotent producers, and the sequence rules
// that make their retries safe. Pure: no I/O, no clock (callers pass times), no locking.
//
// Per producer id it keeps the current epoch, the max timestamp of its last batch, and the sequence and
// offset ranges of its last kProducerBatchesRetained batches. check() judges a batch header against that:
//   - producer id -1: not idempotent, always appended, never remembered;
//   - unknown producer: appended if its base sequence is 0, else UNKNOWN_PRODUCER_ID (state expired or lost);
//   - epoch older than the known one: INVALID_PRODUCER_EPOCH (fenced);
//   - epoch newer: appended if it starts at sequence 0 (the epoch bump resets sequences), else out of order;
//   - same epoch: a batch whose sequence range equals one of the retained ones is a duplicate, answered with
//     that batch's original offsets and not written again; a batch starting right after the last one is
//     appended; anything else is OUT_OF_ORDER_SEQUENCE_NUMBER.
// Sequences wrap from INT32_MAX to 0, as Kafka's do. The table is rebuilt from batch headers read back from
// the log (record() in log order), so live and rebuilt state agree.
#include <cstdint>
#include <deque>
#include <map>
#include <optional>

#include "millrace/protocol/record_batch.h"
#include "millrace/protocol/result.h"
#include "millrace/protocol/strong_types.h"

namespace millrace::broker {

// Batches remembered per producer: a producer keeps at most this many batches per partition in flight.
constexpr size_t kProducerBatchesRetained = 5;

struct ProducerBatchRange {
  int32_t first_sequence = 0;
  int32_t last_sequence = 0;
  Offset first_offset;
  Offset last_offset;
  bool operator==(const ProducerBatchRange&) const = default;
};

struct ProducerEntry {
  int16_t epoch = 0;
  int64_t last_timestamp_ms = 0;
  std::deque<ProducerBatchRange> batches;  // oldest first, at most kProducerBatchesRetained
  bool operator==(const ProducerEntry&) const = default;
};

// The producer fields of one batch header.
struct ProducerBatchInfo {
  int64_t producer_id = protocol::batch_format::kNoProducerId;
  int16_t epoch = protocol::batch_format::kNoProducerEpoch;
  int32_t first_sequence = protocol::batch_format::kNoSequence;
  int32_t last_sequence = protocol::batch_format::kNoSequence;
  int64_t max_timestamp_ms = 0;

  static ProducerBatchInfo from_header(const protocol::RecordBatchHeader& header);
  bool idempotent() const { return producer_id != protocol::batch_format::kNoProducerId; }
};

// check()'s verdict on a batch that is not refused.
struct SequenceCheck {
  std::optional<ProducerBatchRange> duplicate;  // set: already in the log at these offsets; do not append
};

// `sequence` advanced by `count`, wrapping past INT32_MAX to 0.
int32_t advance_sequence(int32_t sequence, int64_t count);

class ProducerStateTable {
 public:
  // Errors: out_of_order_sequence_number, invalid_producer_epoch, unknown_producer_id, invalid_record.
  Result<SequenceCheck> check(const ProducerBatchInfo& batch) const;
  // Remembers a batch written at [first_offset, last_offset] (after check() allowed it, or read back from
  // the log during a rebuild). A newer epoch replaces the producer's batches. No-op for non-idempotent ones.
  void record(const ProducerBatchInfo& batch, Offset first_offset, Offset last_offset);
  // Forgets producers whose last batch timestamp is expiration_ms or more before now_ms. Returns how many.
  size_t expire(int64_t now_ms, int64_t expiration_ms);
  // Replaces (or adds) one producer's entry (loading a snapshot).
  void restore(int64_t producer_id, ProducerEntry entry);
  void clear() { producers_.clear(); }

  const std::map<int64_t, ProducerEntry>& producers() const { return producers_; }
  bool operator==(const ProducerStateTable&) const = default;

 private:
  std::map<int64_t, ProducerEntry> producers_;
};

}  // namespace millrace::broker
