#pragma once
// SegmentLoader: brings an opened Segment to its on-disk state, either by trusting it (after a clean
// shutdown, or below the recovery point) or by recovering it (SegmentScanner).
//
// Trusting reads no batch bodies: it loads the .index file (rebuilding it from batch headers if it is missing
// or malformed, completing it if it is short) and walks the batch headers after the last index entry to find
// the next offset. If the headers do not line up with the file, trusting fails and the segment must be
// recovered.
//
// Recovering validates every batch. The first invalid or incomplete batch is a torn tail, and the .log is
// truncated there, only if both hold: it starts at or above the recovery point (below it everything was
// fsynced); and no valid batch follows it anywhere in the log, neither later in its file nor in the later
// segments' files. Anything else is corruption: an error naming the file and byte position, and nothing is
// changed on disk.
#include <memory>
#include <optional>
#include <span>

#include "millrace/protocol/result.h"
#include "millrace/protocol/strong_types.h"
#include "millrace/storage/log_config.h"

namespace millrace::storage {

class Segment;

class SegmentLoader {
 public:
  // Returns false (having changed nothing on disk) if the headers are inconsistent and it needs recover().
  static Result<bool> trust(Segment& segment, const LogConfig& config);
  // `recovery_point`: every offset below it is known to have been fsynced (nullopt: nothing is known).
  // `later`: the segments after this one, opened but not yet loaded. Returns true if a torn tail was cut:
  // the later segments then hold nothing valid and must be removed.
  static Result<bool> recover(Segment& segment, const LogConfig& config, std::optional<Offset> recovery_point,
                              std::span<const std::unique_ptr<Segment>> later);
};

}  // namespace millrace::storage
