#include "batch_rewriter.h"

#include <cassert>

#include "millrace/protocol/byte_order.h"
#include "millrace/protocol/crc32c.h"
#include "millrace/protocol/record_batch_format.h"

namespace millrace::storage {

namespace bf = protocol::batch_format;
using protocol::store_be;

namespace {

// Fills in the batch length, record count and CRC of the batch that starts at out[start].
void seal(Buffer& out, size_t start, int32_t record_count) {
  char* batch = out.data() + start;
  const size_t size = out.size() - start;
  store_be<int32_t>(batch + bf::kBatchLength, static_cast<int32_t>(size - bf::kLogOverhead));
  store_be<int32_t>(batch + bf::kRecordCount, record_count);
  store_be<uint32_t>(batch + bf::kCrc, protocol::crc32c(batch + bf::kAttributes, size - bf::kAttributes));
}

}  // namespace

void append_rewritten_batch(ByteView original, const std::vector<ByteView>& kept, Buffer& out) {
  assert(original.size() >= bf::kHeaderSize);
  const size_t start = out.size();
  out.insert(out.end(), original.begin(), original.begin() + bf::kHeaderSize);
  for (ByteView record : kept) out.insert(out.end(), record.begin(), record.end());
  seal(out, start, static_cast<int32_t>(kept.size()));
}

EmptyBatchSpan empty_span_of(const protocol::RecordBatchHeader& h) {
  return EmptyBatchSpan{h.base_offset, h.next_offset(),     h.partition_leader_epoch,
                        h.attributes,  h.base_timestamp_ms, h.max_timestamp_ms,
                        h.producer_id, h.producer_epoch,    h.base_sequence};
}

void append_empty_batch(const EmptyBatchSpan& span, Buffer& out) {
  assert(span.next_offset > span.base_offset);
  const size_t start = out.size();
  out.resize(start + bf::kHeaderSize);
  char* batch = out.data() + start;
  store_be<int64_t>(batch + bf::kBaseOffset, span.base_offset);
  store_be<int32_t>(batch + bf::kPartitionLeaderEpoch, span.partition_leader_epoch);
  store_be<int8_t>(batch + bf::kMagic, bf::kMagicV2);
  store_be<int16_t>(batch + bf::kAttributes, span.attributes);
  store_be<int32_t>(batch + bf::kLastOffsetDelta,
                    static_cast<int32_t>(span.next_offset - span.base_offset - 1));
  store_be<int64_t>(batch + bf::kBaseTimestamp, span.base_timestamp_ms);
  store_be<int64_t>(batch + bf::kMaxTimestamp, span.max_timestamp_ms);
  store_be<int64_t>(batch + bf::kProducerId, span.producer_id);
  store_be<int16_t>(batch + bf::kProducerEpoch, span.producer_epoch);
  store_be<int32_t>(batch + bf::kBaseSequence, span.base_sequence);
  seal(out, start, 0);
}

}  // namespace millrace::storage
