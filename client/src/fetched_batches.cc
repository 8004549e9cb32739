#include "fetched_batches.h"

#include <algorithm>
#include <limits>

#include "millrace/protocol/record_batch.h"
#include "millrace/protocol/record_batch_format.h"
#include "millrace/protocol/record_batch_decoder.h"

namespace millrace::client::internal {

Result<FetchedRecords> read_fetched_batches(ByteView bytes, int64_t fetch_offset) {
  FetchedRecords out;
  out.next_offset = fetch_offset;
  if (auto st = protocol::decode_records(bytes, fetch_offset, out.records); !st) return std::move(st).error();
  size_t pos = 0;
  // decode_records validated (and CRC-checked) these batches; only their headers are needed here, so they are
  // read without checking the CRC a second time.
  while (bytes.size() - pos >= protocol::batch_format::kHeaderSize) {
    const auto header = protocol::read_batch_header(bytes.subspan(pos));
    const auto size = header.size_bytes();
    if (size < static_cast<int64_t>(protocol::batch_format::kHeaderSize) ||
        size > static_cast<int64_t>(bytes.size() - pos)) {
      break;
    }
    out.next_offset = std::max(out.next_offset, header.next_offset());
    pos += static_cast<size_t>(size);
  }
  return out;
}

}  // namespace millrace::client::internal
