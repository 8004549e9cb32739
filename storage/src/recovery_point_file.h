#pragma once
// RecoveryPointFile: the `recovery-point` file of a partition directory — the offset below which every batch
// was fsynced, so recovery after a crash validates only the segments from the one holding it onwards.
// Format in disk_format.h (magic, version, offset, CRC-32C). Replaced atomically: written to a temporary
// file, then renamed over the old one.
//
// A missing, torn or corrupt file reads as "no recovery point": everything is validated, which is always
// safe.
#include <filesystem>
#include <optional>

#include "millrace/protocol/bytes.h"
#include "millrace/protocol/result.h"
#include "millrace/protocol/strong_types.h"
#include "millrace/storage/file_system.h"

namespace millrace::storage {

class RecoveryPointFile {
 public:
  static std::optional<Offset> read(FileSystem& file_system, const std::filesystem::path& directory);
  // `durable`: fsync the new file before the rename and the directory after it. Without it a crash may keep
  // the old point or lose the file, which only makes the next recovery validate more.
  static Status write(FileSystem& file_system, const std::filesystem::path& directory, Offset recovery_point,
                      bool durable);

  static Buffer encode(Offset recovery_point);
  static std::optional<Offset> decode(ByteView bytes);
};

}  // namespace millrace::storage
