#include "millrace/protocol/record_batch_builder.h"

#include <algorithm>
#include <cassert>

#include "millrace/protocol/byte_order.h"
#include "millrace/protocol/crc32c.h"
#include "millrace/protocol/record_batch_format.h"
#include "millrace/protocol/varint.h"

namespace millrace::protocol {

namespace bf = batch_format;

namespace {

void append_nullable(Buffer& out, const std::optional<std::string>& bytes) {
  if (!bytes) {
    append_varint(out, -1);
    return;
  }
  append_varint(out, static_cast<int32_t>(bytes->size()));
  out.insert(out.end(), bytes->begin(), bytes->end());
}

}  // namespace

RecordBatchBuilder::RecordBatchBuilder()
    : producer_id_(bf::kNoProducerId),
      producer_epoch_(bf::kNoProducerEpoch),
      base_sequence_(bf::kNoSequence) {
  buffer_.resize(bf::kHeaderSize);
}

void RecordBatchBuilder::set_producer(int64_t producer_id, int16_t producer_epoch, int32_t base_sequence) {
  producer_id_ = producer_id;
  producer_epoch_ = producer_epoch;
  base_sequence_ = base_sequence;
}

size_t RecordBatchBuilder::record_size_upper_bound(const Record& record) {
  size_t size = 1 + kVarlongMaxBytes + kVarintMaxBytes * 4;  // attributes, deltas, lengths, header count
  size += record.key ? record.key->size() : 0;
  size += record.value ? record.value->size() : 0;
  for (const auto& h : record.headers) {
    size += 2 * kVarintMaxBytes + h.key.size() + (h.value ? h.value->size() : 0);
  }
  return size + kVarintMaxBytes;  // the record's own length prefix
}

void RecordBatchBuilder::append(const Record& record) {
  if (record_count_ == 0) {
    base_timestamp_ms_ = record.timestamp_ms;
    max_timestamp_ms_ = record.timestamp_ms;
  }
  max_timestamp_ms_ = std::max(max_timestamp_ms_, record.timestamp_ms);

  Buffer body;
  body.reserve(record_size_upper_bound(record));
  body.push_back(0);  // record attributes (unused)
  append_varlong(body, record.timestamp_ms - base_timestamp_ms_);
  append_varint(body, static_cast<int32_t>(record_count_));  // offset delta
  append_nullable(body, record.key);
  append_nullable(body, record.value);
  append_varint(body, static_cast<int32_t>(record.headers.size()));
  for (const auto& h : record.headers) {
    append_varint(body, static_cast<int32_t>(h.key.size()));
    body.insert(body.end(), h.key.begin(), h.key.end());
    append_nullable(body, h.value);
  }
  append_varint(buffer_, static_cast<int32_t>(body.size()));
  buffer_.insert(buffer_.end(), body.begin(), body.end());
  ++record_count_;
}

Buffer RecordBatchBuilder::build() {
  assert(record_count_ > 0);
  char* p = buffer_.data();
  store_be<int64_t>(p + bf::kBaseOffset, 0);
  store_be<int32_t>(p + bf::kBatchLength, static_cast<int32_t>(buffer_.size() - bf::kLogOverhead));
  store_be<int32_t>(p + bf::kPartitionLeaderEpoch, bf::kNoPartitionLeaderEpoch);
  store_be<int8_t>(p + bf::kMagic, bf::kMagicV2);
  store_be<int16_t>(p + bf::kAttributes, 0);
  store_be<int32_t>(p + bf::kLastOffsetDelta, static_cast<int32_t>(record_count_ - 1));
  store_be<int64_t>(p + bf::kBaseTimestamp, base_timestamp_ms_);
  store_be<int64_t>(p + bf::kMaxTimestamp, max_timestamp_ms_);
  store_be<int64_t>(p + bf::kProducerId, producer_id_);
  store_be<int16_t>(p + bf::kProducerEpoch, producer_epoch_);
  store_be<int32_t>(p + bf::kBaseSequence, base_sequence_);
  store_be<int32_t>(p + bf::kRecordCount, static_cast<int32_t>(record_count_));
  store_be<uint32_t>(p + bf::kCrc, crc32c(p + bf::kAttributes, buffer_.size() - bf::kAttributes));

  Buffer out;
  out.swap(buffer_);
  buffer_.resize(bf::kHeaderSize);
  record_count_ = 0;
  return out;
}

}  // namespace millrace::protocol
