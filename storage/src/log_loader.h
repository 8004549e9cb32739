#pragma once
// LogLoader: opens a partition directory's segments and brings them to a consistent state
// (PartitionLog::open).
//
//   1. Create the directory if missing; remove temporary files; an empty directory gets segment 0.
//   2. With the clean-shutdown marker, trust every segment (SegmentLoader::trust). Without it, trust the
//      segments wholly below the recovery point and recover the rest (SegmentLoader::recover).
//      A segment whose headers do not line up is recovered even when it would be trusted. If recovery cuts a
//      torn tail, the segments after it hold nothing valid (a roll just before the crash): they are removed.
//   3. Check that each segment starts at the offset where the previous one ends.
//   4. Remove the marker (durably), so that a later crash is noticed.
#include <memory>
#include <vector>

#include "millrace/protocol/result.h"
#include "millrace/protocol/strong_types.h"
#include "millrace/storage/log_config.h"

namespace millrace::storage {

class LogDirectory;
class Segment;

struct LoadedLog {
  std::vector<std::unique_ptr<Segment>> segments;  // ascending base offsets, never empty
  Offset flushed_offset;                           // every offset below this is known to be durable
};

class LogLoader {
 public:
  static Result<LoadedLog> load(const LogDirectory& directory, const LogConfig& config);
};

}  // namespace millrace::storage
