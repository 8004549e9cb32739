#pragma once
// Assigns offsets to batches being appended: walks concatenated batches by their length fields and rewrites
// each base offset so that the batches continue the log from `first_offset`. Per batch, never per record;
// no allocation, no I/O.
#include <cstdint>

#include "millrace/protocol/bytes.h"
#include "millrace/protocol/result.h"
#include "millrace/protocol/strong_types.h"

namespace millrace::storage {

struct AssignedOffsets {
  Offset base_offset;  // of the first batch
  Offset next_offset;  // after the last record of the last batch
};

// Errors (invalid_argument): `batches` is empty, is not exactly a sequence of whole batches, or holds a batch
// over `max_batch_bytes`, with a magic other than 2 or a negative last offset delta. The caller validated
// CRCs already; this only guards the framing that storage relies on. On error `batches` may be partly
// rebased.
Result<AssignedOffsets> assign_offsets(MutableByteView batches, Offset first_offset, int64_t max_batch_bytes);

}  // namespace millrace::storage
