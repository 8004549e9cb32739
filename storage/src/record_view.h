#pragma once
// RecordView: one record of an uncompressed RecordBatch v2, seen in place — its raw bytes (from its length
// varint to its last header byte, so it can be copied into another batch with the same base offset and base
// timestamp unchanged), its offset, timestamp, key and whether its value is null (a tombstone).
// parse_records() is a pure parser: no I/O, no allocation beyond the output vector.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "millrace/protocol/bytes.h"
#include "millrace/protocol/record_batch.h"

namespace millrace::storage {

struct RecordView {
  ByteView bytes;
  int64_t offset = 0;
  int64_t timestamp_ms = 0;
  std::optional<std::string_view> key;  // nullopt: a null key
  bool null_value = false;              // a tombstone
};

// Parses every record of `batch` (a whole, uncompressed batch with header `header`) into `out` (cleared
// first). False if the records do not parse or do not fill the batch exactly.
bool parse_records(ByteView batch, const protocol::RecordBatchHeader& header, std::vector<RecordView>& out);

}  // namespace millrace::storage
