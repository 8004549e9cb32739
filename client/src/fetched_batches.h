#pragma once
// Reading what a fetch returned for one partition: the records at or after the fetch offset, and the offset
// to fetch next. The next offset comes from the batch headers, not the records, so that control batches
// (which consumers skip) and records below the fetch offset still move the position forward.
#include <cstdint>
#include <optional>
#include <vector>

#include "millrace/protocol/bytes.h"
#include "millrace/protocol/record_view.h"
#include "millrace/protocol/result.h"

namespace millrace::client::internal {

struct FetchedRecords {
  // Offsets >= the fetch offset, in order; control batches skipped. Views into the fetched bytes.
  std::vector<protocol::RecordView> records;
  int64_t next_offset = 0;  // after the last whole batch; the fetch offset if there was none
};

// Errors: CORRUPT_MESSAGE (bad batch or record), UNSUPPORTED_COMPRESSION_TYPE. A trailing partial batch is
// ignored, as fetches may end mid-batch.
Result<FetchedRecords> read_fetched_batches(ByteView bytes, int64_t fetch_offset);
// The same, appending the views to `out` (whose capacity the caller may reuse); returns the next offset.
Result<int64_t> read_fetched_batches(ByteView bytes, int64_t fetch_offset,
                                     std::vector<protocol::RecordView>& out);

// The next offset read_fetched_batches() will return, from the batch headers alone: no CRC check, no record
// decoding, so the consumer can fetch ahead before it checks a response. Nullopt if a header is malformed
// (bad length or magic): read_fetched_batches() then reports why.
std::optional<int64_t> peek_next_offset(ByteView bytes, int64_t fetch_offset);

}  // namespace millrace::client::internal
