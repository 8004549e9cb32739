#include "fetched_batches.h"

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

}  // namespace millrace::client::internal
