#include "millrace/protocol/record_batch_builder.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "millrace/protocol/byte_order.h"
#include "millrace/protocol/crc32c.h"
#include "millrace/protocol/record_batch_format.h"
#include "millrace/protocol/varint.h"

namespace millrace::protocol {

namespace bf = batch_format;

namespace {

char* write_bytes(char* out, std::string_view bytes) {
  if (!bytes.empty()) std::memcpy(out, bytes.data(), bytes.size());
  return out + bytes.size();
}

char* write_nullable(char* out, const std::optional<std::string_view>& bytes) {
  if (!bytes) return write_varlong(out, -1);
  out = write_varlong(out, static_cast<int64_t>(bytes->size()));
  return write_bytes(out, *bytes);
}

size_t nullable_size(const std::optional<std::string_view>& bytes) {
  return bytes ? varlong_size(static_cast<int64_t>(bytes->size())) + bytes->size() : varlong_size(-1);
}

}  // namespace

RecordBatchBuilder::RecordBatchBuilder() : RecordBatchBuilder(Buffer{}) {}

RecordBatchBuilder::RecordBatchBuilder(Buffer storage)
    : buffer_(std::move(storage)),
      producer_id_(bf::kNoProducerId),
      producer_epoch_(bf::kNoProducerEpoch),
      base_sequence_(bf::kNoSequence),
      crc_end_(bf::kAttributes) {
  buffer_.clear();
  buffer_.resize(bf::kHeaderSize);  // zeros: the header fields are patched into the CRC by build()
}

void RecordBatchBuilder::extend_crc() {
  crc_ = crc32c_extend(crc_, buffer_.data() + crc_end_, buffer_.size() - crc_end_);
  crc_end_ = buffer_.size();
}

void RecordBatchBuilder::set_producer(int64_t producer_id, int16_t producer_epoch, int32_t base_sequence) {
  producer_id_ = producer_id;
  producer_epoch_ = producer_epoch;
  base_sequence_ = base_sequence;
}

size_t RecordBatchBuilder::record_size_upper_bound(const RecordRef& record) {
  size_t size = 1 + kVarlongMaxBytes + kVarintMaxBytes * 4;  // attributes, deltas, lengths, header count
  size += record.key ? record.key->size() : 0;
  size += record.value ? record.value->size() : 0;
  record.for_each_header([&](std::string_view key, const std::optional<std::string_view>& value) {
    size += 2 * kVarintMaxBytes + key.size() + (value ? value->size() : 0);
  });
  return size + kVarintMaxBytes;  // the record's own length prefix
}

void RecordBatchBuilder::append(const RecordRef& record) {
  if (record_count_ == 0) {
    base_timestamp_ms_ = record.timestamp_ms;
    max_timestamp_ms_ = record.timestamp_ms;
  }
  max_timestamp_ms_ = std::max(max_timestamp_ms_, record.timestamp_ms);

  // The record's length prefix comes first, so its size is computed before anything is written: the record
  // goes straight into the batch buffer, with no buffer of its own.
  const int64_t timestamp_delta = record.timestamp_ms - base_timestamp_ms_;
  const auto offset_delta = static_cast<int32_t>(record_count_);
  size_t body_size = 1 + varlong_size(timestamp_delta) + varlong_size(offset_delta) +
                     nullable_size(record.key) + nullable_size(record.value) +
                     varlong_size(static_cast<int64_t>(record.header_count()));
  record.for_each_header([&](std::string_view key, const std::optional<std::string_view>& value) {
    body_size += varlong_size(static_cast<int64_t>(key.size())) + key.size() + nullable_size(value);
  });
  // One resize for the whole record, then plain writes (a varint written byte by byte into a vector costs a
  // capacity check per byte).
  const size_t record_start = buffer_.size();
  buffer_.resize(record_start + varlong_size(static_cast<int64_t>(body_size)) + body_size);
  char* out = buffer_.data() + record_start;
  out = write_varlong(out, static_cast<int64_t>(body_size));
  *out++ = 0;  // record attributes (unused)
  out = write_varlong(out, timestamp_delta);
  out = write_varlong(out, offset_delta);
  out = write_nullable(out, record.key);
  out = write_nullable(out, record.value);
  out = write_varlong(out, static_cast<int64_t>(record.header_count()));
  record.for_each_header([&](std::string_view key, const std::optional<std::string_view>& value) {
    out = write_varlong(out, static_cast<int64_t>(key.size()));
    out = write_bytes(out, key);
    out = write_nullable(out, value);
  });
  assert(out == buffer_.data() + buffer_.size());
  ++record_count_;
  if (buffer_.size() - crc_end_ >= kCrcChunkBytes) extend_crc();
}

Buffer RecordBatchBuilder::build() {
  assert(record_count_ > 0);
  extend_crc();  // the records not checksummed yet, with the header fields still zero
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
  static constexpr char kZeroHeader[bf::kHeaderSize - bf::kAttributes] = {};
  store_be<uint32_t>(p + bf::kCrc, crc32c_patch(crc_, buffer_.size() - bf::kAttributes, 0, kZeroHeader,
                                                p + bf::kAttributes, sizeof kZeroHeader));

  Buffer out;
  out.swap(buffer_);
  buffer_.resize(bf::kHeaderSize);
  record_count_ = 0;
  crc_ = 0;
  crc_end_ = bf::kAttributes;
  return out;
}

}  // namespace millrace::protocol
