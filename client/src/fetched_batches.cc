#include "fetched_batches.h"

#include <algorithm>

#include "millrace/protocol/record_batch.h"

namespace millrace::client::internal {

Result<FetchedRecords> read_fetched_batches(ByteView bytes, int64_t fetch_offset) {
  FetchedRecords out;
  auto next = read_fetched_batches(bytes, fetch_offset, out.records);
  if (!next) return std::move(next).error();
  out.next_offset = *next;
  return out;
}

Result<int64_t> read_fetched_batches(ByteView bytes, int64_t fetch_offset,
                                     std::vector<protocol::RecordView>& out) {
  // One pass: each whole batch is CRC-checked once, its records located in place, and its header moves the
  // next offset (control and empty batches included).
  return protocol::decode_record_views(bytes, fetch_offset, out);
}

std::optional<int64_t> peek_next_offset(ByteView bytes, int64_t fetch_offset) {
  namespace bf = protocol::batch_format;
  int64_t next_offset = fetch_offset;
  size_t pos = 0;
  // The same walk as protocol::decode_record_views(), minus the CRC and the records.
  while (bytes.size() - pos >= bf::kHeaderSize) {
    const protocol::RecordBatchHeader h = protocol::read_batch_header(bytes.subspan(pos));
    if (h.size_bytes() < static_cast<int64_t>(bf::kHeaderSize) || h.magic != bf::kMagicV2)
      return std::nullopt;
    if (h.size_bytes() > static_cast<int64_t>(bytes.size() - pos)) break;  // a partial batch at the end
    pos += static_cast<size_t>(h.size_bytes());
    next_offset = std::max(next_offset, h.next_offset());
  }
  return next_offset;
}

}  // namespace millrace::client::internal
