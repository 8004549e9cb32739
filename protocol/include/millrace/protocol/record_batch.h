#pragma once
// Reading, validating and re-basing RecordBatch v2 bytes without re-encoding records.
//
// The broker uses validate_batch() on every produced batch and set_base_offset() to assign offsets;
// storage uses scan_batch() during recovery. None of these allocate or do I/O.
#include <cstdint>

#include "millrace/protocol/bytes.h"
#include "millrace/protocol/record_batch_format.h"
#include "millrace/protocol/result.h"

namespace millrace::protocol {

struct RecordBatchHeader {
  int64_t base_offset = 0;
  int32_t batch_length = 0;
  int32_t partition_leader_epoch = 0;
  int8_t magic = 0;
  uint32_t crc = 0;
  int16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t base_timestamp_ms = 0;
  int64_t max_timestamp_ms = 0;
  int64_t producer_id = 0;
  int16_t producer_epoch = 0;
  int32_t base_sequence = 0;
  int32_t record_count = 0;

  // Whole batch size on disk, including base offset and length fields.
  int64_t size_bytes() const { return int64_t{batch_length} + int64_t{batch_format::kLogOverhead}; }
  int64_t last_offset() const { return base_offset + last_offset_delta; }
  int64_t next_offset() const { return last_offset() + 1; }
  batch_format::Compression compression() const {
    return static_cast<batch_format::Compression>(attributes & batch_format::kCompressionMask);
  }
  bool is_control() const { return (attributes & batch_format::kControlBit) != 0; }
};

// Decodes the fixed header. `bytes` must hold at least kHeaderSize bytes (not checked beyond that).
RecordBatchHeader read_batch_header(ByteView bytes) noexcept;

// The result of looking at the front of a byte range that should start with a batch.
enum class ScanStatus {
  complete,   // a whole, valid batch is at the front; `header` is filled
  need_more,  // the bytes end before the batch does (a torn tail, or a partial read)
  corrupt,    // the bytes at the front are not a valid batch (bad length, magic or CRC)
};

struct ScanResult {
  ScanStatus status;
  RecordBatchHeader header;  // valid when status == complete
  const char* reason = "";   // why, when status == corrupt (static string)
};

// Looks at the batch at the front of `bytes`: length bounds (at most `max_batch_bytes`), magic, CRC-32C.
ScanResult scan_batch(ByteView bytes, int64_t max_batch_bytes) noexcept;

// Validates that `bytes` is exactly a sequence of whole valid batches, each at most `max_batch_bytes`.
// Returns the number of batches. Errors: corrupt_message (CRC/magic/length/truncated),
// message_too_large (a batch over the limit), invalid_record (empty batch, record count vs. offsets).
Result<int32_t> validate_batches(ByteView bytes, int64_t max_batch_bytes);

// Rewrites the base offset field of the batch at the front of `batch`. The CRC does not cover it.
void set_base_offset(MutableByteView batch, int64_t base_offset) noexcept;
void set_partition_leader_epoch(MutableByteView batch, int32_t epoch) noexcept;
// Rewrites the producer id, epoch and base sequence of the whole batch `batch` and updates its CRC (which
// covers them; it must have been valid) for those bytes alone, not over the whole batch. The idempotent
// producer stamps an already encoded batch this way when it first sends it.
void set_producer_fields(MutableByteView batch, int64_t producer_id, int16_t producer_epoch,
                         int32_t base_sequence) noexcept;

}  // namespace millrace::protocol
