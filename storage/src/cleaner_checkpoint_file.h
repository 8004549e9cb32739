#pragma once
// CleanerCheckpointFile: the partition directory's `cleaner-checkpoint` (disk_format.h): how far the last
// completed cleaning pass mapped keys (offsets below it are "clean", the rest "dirty"), and the oldest
// tombstone it left in place (so that a later pass knows when one is due for removal). Replaced atomically
// (written to a .tmp file, then renamed). Missing or invalid reads as "nothing cleaned yet", which is always
// safe: the next pass just maps more.
#include <cstdint>
#include <filesystem>

#include "millrace/protocol/bytes.h"
#include "millrace/protocol/result.h"
#include "millrace/protocol/strong_types.h"

namespace millrace::storage {

struct CleanerCheckpoint {
  Offset clean_up_to{0};             // offsets below were mapped by a completed pass
  int64_t oldest_tombstone_ms = -1;  // timestamp of the oldest tombstone left below it; -1: none
  bool operator==(const CleanerCheckpoint&) const = default;
};

class CleanerCheckpointFile {
 public:
  static Buffer encode(const CleanerCheckpoint& checkpoint);
  static CleanerCheckpoint decode(ByteView bytes);  // {0, -1} if malformed
  static CleanerCheckpoint read(const std::filesystem::path& directory);
  static Status write(const std::filesystem::path& directory, const CleanerCheckpoint& checkpoint,
                      bool durable);
};

}  // namespace millrace::storage
