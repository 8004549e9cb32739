#pragma once
// Building cleaned batches from an original batch without re-encoding records. Both keep the original's
// base offset, partition leader epoch, magic, attributes and lastOffsetDelta, so every retained record's
// offset and timestamp deltas stay valid; the record count, batch length and CRC-32C are recomputed.
// Pure functions: no I/O.
#include <cstdint>
#include <vector>

#include "millrace/protocol/bytes.h"
#include "millrace/protocol/record_batch.h"

namespace millrace::storage {

// Appends to `out` the batch `original` (whole, uncompressed) holding only the records `kept` (each the raw
// bytes of one of its records, in their order). Timestamps, producer fields are unchanged.
void append_rewritten_batch(ByteView original, const std::vector<ByteView>& kept, Buffer& out);

// A zero-record batch covering the offsets [base_offset, next_offset).
struct EmptyBatchSpan {
  int64_t base_offset = 0;
  int64_t next_offset = 0;
  int32_t partition_leader_epoch = 0;
  int16_t attributes = 0;
  int64_t base_timestamp_ms = 0;
  int64_t max_timestamp_ms = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
};

// The span of one batch whose records were all removed (its own header's fields).
EmptyBatchSpan empty_span_of(const protocol::RecordBatchHeader& header);
// Appends the zero-record batch for `span` to `out` (61 bytes).
void append_empty_batch(const EmptyBatchSpan& span, Buffer& out);

}  // namespace millrace::storage
