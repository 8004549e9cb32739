#include "fetched_batches.h"

#include <algorithm>
#include <limits>

#include "millrace/protocol/record_batch.h"
#include "millrace/protocol/record_batch_decoder.h"

namespace millrace::client::internal {

Result<FetchedRecords> read_fetched_batches(ByteView bytes, int64_t fetch_offset) {
  FetchedRecords out;
  out.next_offset = fetch_offset;
  if (auto st = protocol::decode_records(bytes, fetch_offset, out.records); !st) return std::move(st).error();
  size_t pos = 0;
  while (pos < bytes.size()) {  // decode_records validated these batches; only their headers are needed here
    const auto scan = protocol::scan_batch(bytes.subspan(pos), std::numeric_limits<int32_t>::max());
    if (scan.status != protocol::ScanStatus::complete) break;
    out.next_offset = std::max(out.next_offset, scan.header.next_offset());
    pos += static_cast<size_t>(scan.header.size_bytes());
  }
  return out;
}

}  // namespace millrace::client::internal
