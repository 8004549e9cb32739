#pragma once
// Decodes the records of RecordBatch v2 bytes (uncompressed) for consumers and tools.
#include <vector>

#include "millrace/protocol/bytes.h"
#include "millrace/protocol/record.h"
#include "millrace/protocol/result.h"

namespace millrace::protocol {

// Decodes every record of every batch in `bytes`, appending to `out`. Control batches are skipped, as Kafka
// clients skip them. A partial batch at the end (fetch responses may end mid-batch) is ignored.
// Records with offsets below `min_offset` are skipped (a fetch returns whole batches).
// Errors: corrupt_message (CRC, varints), unsupported_compression_type.
Status decode_records(ByteView bytes, int64_t min_offset, std::vector<Record>& out);

}  // namespace millrace::protocol
