#pragma once
// Encodes records into one RecordBatch v2 (uncompressed). Used by producers; the broker never re-encodes.
// Not thread-safe.
#include <cstddef>
#include <cstdint>

#include "millrace/protocol/bytes.h"
#include "millrace/protocol/record_ref.h"

namespace millrace::protocol {

class RecordBatchBuilder {
 public:
  RecordBatchBuilder();
  // Builds the batch in `storage`, reusing its capacity (its contents are discarded): a producer hands in a
  // recycled buffer with room for a whole batch, so appends neither reallocate nor touch fresh pages.
  explicit RecordBatchBuilder(Buffer storage);

  // Appends one record, written straight into the batch buffer (no allocation once its capacity suffices).
  // Takes a RecordRef (or a Record, which converts to one); an owned Record's offset field is ignored
  // (offsets are relative to the batch).
  void append(const RecordRef& record);

  size_t record_count() const { return record_count_; }
  // Bytes the finished batch will take.
  size_t size_bytes() const { return buffer_.size(); }
  // Bytes one more record would add (upper bound), to decide whether it fits under a batch size limit.
  static size_t record_size_upper_bound(const RecordRef& record);

  // Producer identity for idempotence (not yet used by the broker).
  void set_producer(int64_t producer_id, int16_t producer_epoch, int32_t base_sequence);

  // Finishes the batch: fills the header and CRC, returns the bytes. The builder is empty afterwards.
  Buffer build();

  // Records are checksummed in pieces of at least this many bytes as they are appended, while they are still
  // in the cache; build() checksums the rest and patches the header fields in (crc32c_patch).
  static constexpr size_t kCrcChunkBytes = 8 * 1024;

 private:
  void extend_crc();

  Buffer buffer_;
  size_t record_count_ = 0;
  int64_t base_timestamp_ms_ = 0;
  int64_t max_timestamp_ms_ = 0;
  int64_t producer_id_;
  int16_t producer_epoch_;
  int32_t base_sequence_;
  // CRC-32C of buffer_[kAttributes, crc_end_), taken while the header fields after kAttributes were zero.
  uint32_t crc_ = 0;
  size_t crc_end_;
};

}  // namespace millrace::protocol
