#pragma once
// Reading what a fetch returned for one partition: the records at or after the fetch offset, and the offset
// to fetch next. The next offset comes from the batch headers, not the records, so that control batches
// (which consumers skip) and records below the fetch offset still move the position forward.
#include <cstdint>
#include <vector>

#include "millrace/protocol/bytes.h"
#include "millrace/protocol/record.h"
#include "millrace/protocol/result.h"

namespace millrace::client::internal {

struct FetchedRecords {
  std::vector<protocol::Record> records;  // offsets >= the fetch offset, in order; control batches skipped
  int64_t next_offset = 0;                // after the last whole batch; the fetch offset if there was none
};

// Errors: CORRUPT_MESSAGE (bad batch or record), UNSUPPORTED_COMPRESSION_TYPE. A trailing partial batch is
// ignored, as fetches may end mid-batch.
Result<FetchedRecords> read_fetched_batches(ByteView bytes, int64_t fetch_offset);

}  // namespace millrace::client::internal
