#pragma once
// ProducerSnapshotFile: reads, writes, lists and removes producer snapshot files of one partition directory
// (layout in producer_snapshot_format.h). encode()/decode() are pure; a file that is missing, torn or
// corrupt decodes to nullopt, which only means a longer rebuild from the log.
//
// Thread-safety: none; the partition's owner thread calls it.
#include <filesystem>
#include <optional>
#include <vector>

#include "millrace/broker/producer_state_table.h"
#include "millrace/protocol/bytes.h"
#include "millrace/protocol/result.h"

namespace millrace::broker {

struct ProducerSnapshot {
  Offset next_offset;  // the state after every batch below this offset
  ProducerStateTable table;
};

class ProducerSnapshotFile {
 public:
  static Buffer encode(const ProducerSnapshot& snapshot);
  static std::optional<ProducerSnapshot> decode(ByteView bytes);

  static std::filesystem::path path_for(const std::filesystem::path& dir, Offset next_offset);
  // Offsets of the snapshot files in `dir`, ascending.
  static std::vector<Offset> list(const std::filesystem::path& dir);
  static std::optional<ProducerSnapshot> read(const std::filesystem::path& dir, Offset next_offset);
  // Atomic: temporary file, fsync, rename, directory fsync.
  static Status write(const std::filesystem::path& dir, const ProducerSnapshot& snapshot);
  static Status remove(const std::filesystem::path& dir, Offset next_offset);
};

}  // namespace millrace::broker
