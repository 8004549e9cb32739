#include "millrace/protocol/record_batch.h"

#include <array>
#include <cstring>
#include <string>

#include "millrace/protocol/byte_order.h"
#include "millrace/protocol/crc32c.h"
#include "millrace/protocol/errc.h"

namespace millrace::protocol {

namespace bf = batch_format;

RecordBatchHeader read_batch_header(ByteView bytes) noexcept {
  const char* p = bytes.data();
  RecordBatchHeader h;
  h.base_offset = load_be<int64_t>(p + bf::kBaseOffset);
  h.batch_length = load_be<int32_t>(p + bf::kBatchLength);
  h.partition_leader_epoch = load_be<int32_t>(p + bf::kPartitionLeaderEpoch);
  h.magic = load_be<int8_t>(p + bf::kMagic);
  h.crc = load_be<uint32_t>(p + bf::kCrc);
  h.attributes = load_be<int16_t>(p + bf::kAttributes);
  h.last_offset_delta = load_be<int32_t>(p + bf::kLastOffsetDelta);
  h.base_timestamp_ms = load_be<int64_t>(p + bf::kBaseTimestamp);
  h.max_timestamp_ms = load_be<int64_t>(p + bf::kMaxTimestamp);
  h.producer_id = load_be<int64_t>(p + bf::kProducerId);
  h.producer_epoch = load_be<int16_t>(p + bf::kProducerEpoch);
  h.base_sequence = load_be<int32_t>(p + bf::kBaseSequence);
  h.record_count = load_be<int32_t>(p + bf::kRecordCount);
  return h;
}

ScanResult scan_batch(ByteView bytes, int64_t max_batch_bytes) noexcept {
  ScanResult result{ScanStatus::need_more, {}, ""};
  if (bytes.size() < bf::kLogOverhead) return result;
  const int32_t batch_length = load_be<int32_t>(bytes.data() + bf::kBatchLength);
  const int64_t size = int64_t{batch_length} + int64_t{bf::kLogOverhead};
  if (size < static_cast<int64_t>(bf::kHeaderSize)) {
    return {ScanStatus::corrupt, {}, "batch length smaller than the batch header"};
  }
  if (size > max_batch_bytes) return {ScanStatus::corrupt, {}, "batch length over the size limit"};
  if (bytes.size() < bf::kHeaderSize) return result;
  const RecordBatchHeader header = read_batch_header(bytes);
  if (header.magic != bf::kMagicV2) return {ScanStatus::corrupt, {}, "magic is not 2"};
  if (static_cast<int64_t>(bytes.size()) < size) return result;
  const uint32_t crc = crc32c(bytes.data() + bf::kAttributes, static_cast<size_t>(size) - bf::kAttributes);
  if (crc != header.crc) return {ScanStatus::corrupt, {}, "CRC-32C mismatch"};
  return {ScanStatus::complete, header, ""};
}

Result<int32_t> validate_batches(ByteView bytes, int64_t max_batch_bytes) {
  if (bytes.empty()) return make_error(errc::invalid_record, "no record batch in request");
  int32_t count = 0;
  size_t pos = 0;
  while (pos < bytes.size()) {
    const ByteView rest = bytes.subspan(pos);
    if (rest.size() >= bf::kLogOverhead) {
      const int64_t size =
          int64_t{load_be<int32_t>(rest.data() + bf::kBatchLength)} + int64_t{bf::kLogOverhead};
      if (size > max_batch_bytes) {
        return make_error(errc::message_too_large, "record batch of " + std::to_string(size) +
                                                       " bytes exceeds the limit of " +
                                                       std::to_string(max_batch_bytes) + " bytes");
      }
    }
    const ScanResult scan = scan_batch(rest, max_batch_bytes);
    if (scan.status == ScanStatus::need_more) {
      return make_error(errc::corrupt_message, "record batch truncated at byte " + std::to_string(pos));
    }
    if (scan.status == ScanStatus::corrupt) {
      return make_error(errc::corrupt_message, std::string(scan.reason) + " at byte " + std::to_string(pos));
    }
    const RecordBatchHeader& h = scan.header;
    if (h.record_count <= 0 || h.last_offset_delta != h.record_count - 1) {
      return make_error(errc::invalid_record, "record count " + std::to_string(h.record_count) +
                                                  " does not match last offset delta " +
                                                  std::to_string(h.last_offset_delta));
    }
    pos += static_cast<size_t>(h.size_bytes());
    ++count;
  }
  return count;
}

void set_base_offset(MutableByteView batch, int64_t base_offset) noexcept {
  store_be<int64_t>(batch.data() + bf::kBaseOffset, base_offset);
}

void set_partition_leader_epoch(MutableByteView batch, int32_t epoch) noexcept {
  store_be<int32_t>(batch.data() + bf::kPartitionLeaderEpoch, epoch);
}

void set_producer_fields(MutableByteView batch, int64_t producer_id, int16_t producer_epoch,
                         int32_t base_sequence) noexcept {
  // The three fields are adjacent: the CRC is patched for those bytes, not recomputed over the whole batch.
  constexpr size_t kFieldsBytes = bf::kBaseSequence + sizeof(int32_t) - bf::kProducerId;
  static_assert(bf::kProducerEpoch == bf::kProducerId + sizeof(int64_t));
  static_assert(bf::kBaseSequence == bf::kProducerEpoch + sizeof(int16_t));
  std::array<char, kFieldsBytes> before;
  std::memcpy(before.data(), batch.data() + bf::kProducerId, kFieldsBytes);
  store_be<int64_t>(batch.data() + bf::kProducerId, producer_id);
  store_be<int16_t>(batch.data() + bf::kProducerEpoch, producer_epoch);
  store_be<int32_t>(batch.data() + bf::kBaseSequence, base_sequence);
  const uint32_t crc = crc32c_patch(load_be<uint32_t>(batch.data() + bf::kCrc),
                                    batch.size() - bf::kAttributes, bf::kProducerId - bf::kAttributes,
                                    before.data(), batch.data() + bf::kProducerId, kFieldsBytes);
  store_be<uint32_t>(batch.data() + bf::kCrc, crc);
}

}  // namespace millrace::protocol
