#pragma once
// ProducerBatch: the records of one partition that travel together as one RecordBatch v2, with each
// record's callback. Open batches take records until batch_bytes would be exceeded; close() encodes the
// bytes once, and a retry resends the same bytes. Not thread-safe (guarded by the producer's lock while in
// the accumulator; owned by one request while in flight). With a BatchBufferPool the batch is built in a
// recycled buffer, given back when the batch is destroyed.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "batch_buffer_pool.h"
#include "millrace/client/delivery_report.h"
#include "millrace/client/topic_partition.h"
#include "millrace/protocol/record.h"
#include "millrace/protocol/record_batch_builder.h"
#include "millrace/protocol/record_ref.h"

namespace millrace::client::internal {

// One record's bookkeeping inside a batch.
struct PendingRecord {
  DeliveryCallback callback;
  int64_t timestamp_ms = 0;
  size_t reserved_bytes = 0;  // buffer memory held until delivery completes
};

class ProducerBatch {
 public:
  ProducerBatch(TopicPartition partition, uint64_t id, int64_t created_ms, size_t batch_bytes_max,
                std::shared_ptr<BatchBufferPool> buffer_pool = nullptr);
  ~ProducerBatch();  // gives the buffer back to the pool
  ProducerBatch(ProducerBatch&&) = default;
  ProducerBatch& operator=(ProducerBatch&&) = default;

  // Whether a record of `record_bytes` (RecordBatchBuilder::record_size_upper_bound) may be appended: the
  // batch is open, not cut off, and stays within batch_bytes_max (an empty batch takes any record).
  bool fits(size_t record_bytes) const { return fits(record_bytes, batch_bytes_max_); }
  // The same with another size bound (a partition's open batch may grow past batch_bytes_max while it has
  // to wait anyway: RecordAccumulator).
  bool fits(size_t record_bytes, size_t limit_bytes) const;
  // Appends; call only when fits().
  void append(const protocol::RecordRef& record, PendingRecord pending);
  // Encodes the batch; no more appends. Idempotent.
  void close();

  const TopicPartition& partition() const { return partition_; }
  uint64_t id() const { return id_; }
  int64_t created_ms() const { return created_ms_; }
  bool is_open() const { return !bytes_.has_value(); }
  // Full: no record can be added, or it was cut off because the next record did not fit.
  bool is_full() const;
  void mark_full() { cut_off_ = true; }
  size_t record_count() const { return records_.size(); }
  size_t size_bytes() const;
  size_t reserved_bytes() const;
  // The encoded batch; valid after close().
  ByteView bytes() const;

  int32_t attempts = 0;     // sends so far
  int64_t retry_at_ms = 0;  // not before this (retry backoff)

  // Idempotence: stamps the closed batch with its producer id, epoch and first sequence number (rewriting
  // those header fields and the CRC). A stamped batch keeps its stamp through every retry.
  void stamp(int64_t producer_id, int16_t producer_epoch, int32_t base_sequence);
  bool is_stamped() const { return base_sequence_ >= 0; }
  int64_t producer_id() const { return producer_id_; }
  int16_t producer_epoch() const { return producer_epoch_; }
  int32_t base_sequence() const { return base_sequence_; }

  // Splits a closed batch into batches of consecutive records, each within `chunk_bytes` (a record larger
  // than that goes alone; 0: one batch per record), with the same partition and creation time and ids from
  // `next_id`, moving each record's callback along. The parts take no more records. Used when the broker
  // refuses the batch as too large: as with Kafka's producer, a batch that grew past batch_bytes is split
  // into batches of batch_bytes, and a smaller one into single records, which then succeed or fail on
  // their own. The parts of a stamped batch are closed and stamped with its sequence numbers in turn.
  std::vector<std::unique_ptr<ProducerBatch>> split(size_t chunk_bytes, uint64_t& next_id);

  // Runs every record's callback (an exception thrown by one is swallowed: it must not kill the I/O thread).
  // `base_offset` -1: offsets unknown (acks=0).
  void complete(Offset base_offset) const;
  void fail(const Error& error) const;

 private:
  TopicPartition partition_;
  uint64_t id_;
  int64_t created_ms_;
  size_t batch_bytes_max_;
  std::shared_ptr<BatchBufferPool> buffer_pool_;  // may be null
  protocol::RecordBatchBuilder builder_;
  std::vector<PendingRecord> records_;
  std::optional<Buffer> bytes_;
  bool cut_off_ = false;
  int64_t producer_id_ = -1;
  int16_t producer_epoch_ = -1;
  int32_t base_sequence_ = -1;
};

}  // namespace millrace::client::internal
