#pragma once
// SegmentScanner: validates every batch of a segment's .log during crash recovery — length bounds, magic and
// CRC-32C (protocol::scan_batch), a non-negative last offset delta, and base offsets that continue from the
// segment's base offset without gaps — and rebuilds the offset index on the way. Reads the file in large
// chunks; does not change anything on disk.
#include <cstdint>
#include <optional>
#include <string>

#include "millrace/protocol/result.h"
#include "millrace/protocol/strong_types.h"
#include "millrace/storage/log_config.h"
#include "offset_index.h"

namespace millrace::storage {

class Segment;

struct SegmentScan {
  int64_t valid_bytes = 0;  // the prefix of the file made of valid batches
  Offset next_offset;       // after the last valid batch
  OffsetIndex index;        // entries for the valid prefix
  std::string problem;      // what ends the valid prefix before the end of the file; empty if nothing does
};

class SegmentScanner {
 public:
  // Bytes read from the file at a time (or max_batch_bytes, if larger).
  static constexpr int64_t kReadChunkBytes = 1 << 20;

  // Errors only for failed reads; invalid data is reported in SegmentScan::problem.
  static Result<SegmentScan> scan(const Segment& segment, const LogConfig& config);

  // The first position at or after `from` where a whole valid batch (length bounds, magic, CRC-32C) with a
  // base offset of at least `min_base_offset` starts; nullopt if there is none before the end of the file.
  // Recovery uses it to tell a torn tail (nothing valid after the damage) from corruption in the middle of
  // the file. Batches with lower offsets are stale bytes (say, of a deleted segment) and do not count.
  static Result<std::optional<int64_t>> find_valid_batch(const Segment& segment, const LogConfig& config,
                                                         int64_t from, int64_t min_base_offset);
};

}  // namespace millrace::storage
