#pragma once
// SegmentLoader: brings an opened Segment to its on-disk state, either by trusting it (after a clean
// shutdown, or below the recovery point) or by recovering it (SegmentScanner).
//
// Trusting reads no batch bodies: it loads the .index file (rebuilding it from batch headers if it is missing
// or malformed, completing it if it is short) and walks the batch headers after the last index entry to find
// the next offset. If the headers do not line up with the file, trusting fails and the segment must be
// recovered.
//
// Recovering validates every batch. A problem in the last segment is a torn tail: the .log is truncated
// there. A problem in any other segment is an error naming the file and position.
#include "millrace/protocol/result.h"
#include "millrace/storage/log_config.h"

namespace millrace::storage {

class Segment;

class SegmentLoader {
 public:
  // Returns false (having changed nothing on disk) if the headers are inconsistent and it needs recover().
  static Result<bool> trust(Segment& segment, const LogConfig& config);
  static Status recover(Segment& segment, const LogConfig& config, bool is_last_segment);
};

}  // namespace millrace::storage
