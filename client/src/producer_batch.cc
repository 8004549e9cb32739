#include "producer_batch.h"

#include <cassert>
#include <limits>

#include "millrace/protocol/record_batch.h"
#include "millrace/protocol/record_batch_decoder.h"
#include "millrace/protocol/record_batch_format.h"

namespace millrace::client::internal {

namespace {
// The smallest record (null key and value, no headers) takes about this many bytes.
constexpr size_t kMinimumRecordBytes = 7;

void run_callback(const DeliveryCallback& callback, const DeliveryReport& report) {
  if (!callback) return;
  try {
    callback(report);
  } catch (...) {  // a throwing user callback must not take the I/O thread down
  }
}
}  // namespace

ProducerBatch::ProducerBatch(TopicPartition partition, uint64_t id, int64_t created_ms,
                             size_t batch_bytes_max, std::shared_ptr<BatchBufferPool> buffer_pool)
    : partition_(std::move(partition)),
      id_(id),
      created_ms_(created_ms),
      batch_bytes_max_(batch_bytes_max),
      buffer_pool_(std::move(buffer_pool)),
      builder_(buffer_pool_ ? buffer_pool_->take() : Buffer{}) {}

ProducerBatch::~ProducerBatch() {
  if (buffer_pool_ && bytes_) buffer_pool_->give_back(std::move(*bytes_));
}

bool ProducerBatch::fits(size_t record_bytes, size_t limit_bytes) const {
  if (!is_open() || cut_off_) return false;
  return records_.empty() || builder_.size_bytes() + record_bytes <= limit_bytes;
}

void ProducerBatch::append(const protocol::RecordRef& record, PendingRecord pending) {
  assert(is_open());
  builder_.append(record);
  records_.push_back(std::move(pending));
}

bool ProducerBatch::is_full() const {
  return cut_off_ || !is_open() || size_bytes() + kMinimumRecordBytes > batch_bytes_max_;
}

size_t ProducerBatch::size_bytes() const {
  return bytes_ ? bytes_->size() : builder_.size_bytes();
}

size_t ProducerBatch::reserved_bytes() const {
  size_t total = 0;
  for (const auto& r : records_) total += r.reserved_bytes;
  return total;
}

void ProducerBatch::close() {
  if (bytes_) return;
  assert(!records_.empty());
  bytes_ = builder_.build();
}

void ProducerBatch::stamp(int64_t producer_id, int16_t producer_epoch, int32_t base_sequence) {
  assert(bytes_);
  protocol::set_producer_fields(MutableByteView(*bytes_), producer_id, producer_epoch, base_sequence);
  producer_id_ = producer_id;
  producer_epoch_ = producer_epoch;
  base_sequence_ = base_sequence;
}

ByteView ProducerBatch::bytes() const {
  assert(bytes_);
  return ByteView(*bytes_);
}

std::vector<std::unique_ptr<ProducerBatch>> ProducerBatch::split(size_t chunk_bytes, uint64_t& next_id) {
  assert(bytes_);
  std::vector<protocol::Record> decoded;
  const Status st = protocol::decode_records(*bytes_, 0, decoded);
  assert(st.ok() && decoded.size() == records_.size());  // our own encoding
  (void)st;
  std::vector<std::unique_ptr<ProducerBatch>> out;
  for (size_t i = 0; i < records_.size(); ++i) {
    const size_t record_bytes = protocol::RecordBatchBuilder::record_size_upper_bound(decoded[i]);
    if (out.empty() || !out.back()->fits(record_bytes, chunk_bytes)) {
      if (!out.empty()) out.back()->mark_full();
      out.push_back(std::make_unique<ProducerBatch>(partition_, next_id++, created_ms_, batch_bytes_max_));
      out.back()->attempts = attempts;
    }
    out.back()->append(decoded[i], std::move(records_[i]));
  }
  if (!out.empty()) out.back()->mark_full();
  records_.clear();
  if (is_stamped()) {
    // The broker took none of the records: each part carries their sequence numbers in turn, so every
    // later batch of the partition keeps its own.
    constexpr int64_t kSequenceSpan = int64_t{std::numeric_limits<int32_t>::max()} + 1;
    int64_t sequence = base_sequence_;
    for (auto& part : out) {
      part->close();
      part->stamp(producer_id_, producer_epoch_, static_cast<int32_t>(sequence % kSequenceSpan));
      sequence += static_cast<int64_t>(part->record_count());
    }
  }
  return out;
}

void ProducerBatch::complete(Offset base_offset) const {
  DeliveryReport report;  // one for the batch: the topic name is copied once, not per record
  report.topic = partition_.topic;
  report.partition = partition_.partition;
  for (size_t i = 0; i < records_.size(); ++i) {
    report.offset = base_offset.value < 0 ? Offset{-1} : Offset{base_offset.value + static_cast<int64_t>(i)};
    report.timestamp_ms = records_[i].timestamp_ms;
    run_callback(records_[i].callback, report);
  }
}

void ProducerBatch::fail(const Error& error) const {
  DeliveryReport report;
  report.topic = partition_.topic;
  report.partition = partition_.partition;
  report.error = error;
  for (const auto& r : records_) {
    report.timestamp_ms = r.timestamp_ms;
    run_callback(r.callback, report);
  }
}

}  // namespace millrace::client::internal
