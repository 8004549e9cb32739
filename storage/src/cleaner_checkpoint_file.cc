#include "cleaner_checkpoint_file.h"

#include <string>
#include <system_error>

#include "io_error.h"
#include "millrace/protocol/byte_order.h"
#include "millrace/protocol/crc32c.h"
#include "millrace/storage/disk_format.h"
#include "millrace/storage/file_system.h"
#include "millrace/storage/posix_file.h"
#include "small_file.h"

namespace millrace::storage {

namespace df = disk_format;
using protocol::load_be;
using protocol::store_be;

Buffer CleanerCheckpointFile::encode(const CleanerCheckpoint& checkpoint) {
  Buffer bytes(df::kCleanerCheckpointBytes);
  store_be<uint32_t>(bytes.data() + df::kCleanerCheckpointMagicAt, df::kCleanerCheckpointMagic);
  store_be<int16_t>(bytes.data() + df::kCleanerCheckpointVersionAt, df::kCleanerCheckpointVersion);
  store_be<int64_t>(bytes.data() + df::kCleanerCheckpointOffsetAt, checkpoint.clean_up_to.value);
  store_be<int64_t>(bytes.data() + df::kCleanerCheckpointTombstoneAt, checkpoint.oldest_tombstone_ms);
  store_be<uint32_t>(bytes.data() + df::kCleanerCheckpointCrcAt,
                     protocol::crc32c(bytes.data(), df::kCleanerCheckpointCrcAt));
  return bytes;
}

CleanerCheckpoint CleanerCheckpointFile::decode(ByteView bytes) {
  if (bytes.size() != df::kCleanerCheckpointBytes ||
      load_be<uint32_t>(bytes.data() + df::kCleanerCheckpointMagicAt) != df::kCleanerCheckpointMagic ||
      load_be<int16_t>(bytes.data() + df::kCleanerCheckpointVersionAt) != df::kCleanerCheckpointVersion ||
      load_be<uint32_t>(bytes.data() + df::kCleanerCheckpointCrcAt) !=
          protocol::crc32c(bytes.data(), df::kCleanerCheckpointCrcAt)) {
    return {};
  }
  CleanerCheckpoint checkpoint{Offset{load_be<int64_t>(bytes.data() + df::kCleanerCheckpointOffsetAt)},
                               load_be<int64_t>(bytes.data() + df::kCleanerCheckpointTombstoneAt)};
  if (checkpoint.clean_up_to.value < 0) return {};
  return checkpoint;
}

CleanerCheckpoint CleanerCheckpointFile::read(const std::filesystem::path& directory) {
  auto file = PosixFile::open(directory / df::kCleanerCheckpointName, OpenMode::open_existing);
  if (!file) return {};
  char bytes[df::kCleanerCheckpointBytes + 1];  // one more, to notice a file that is too long
  auto read = (*file)->read_at(0, bytes);
  if (!read) return {};
  return decode(ByteView(bytes, *read));
}

Status CleanerCheckpointFile::write(const std::filesystem::path& directory,
                                    const CleanerCheckpoint& checkpoint, bool durable) {
  const Buffer bytes = encode(checkpoint);
  return replace_small_file(*posix_file_system(), directory, df::kCleanerCheckpointName, bytes, durable);
}

}  // namespace millrace::storage
