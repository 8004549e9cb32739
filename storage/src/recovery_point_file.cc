#include "recovery_point_file.h"

#include <string>
#include <system_error>

#include "io_error.h"
#include "millrace/protocol/byte_order.h"
#include "millrace/protocol/crc32c.h"
#include "millrace/storage/disk_format.h"
#include "small_file.h"

namespace millrace::storage {

namespace df = disk_format;
using protocol::load_be;
using protocol::store_be;

Buffer RecoveryPointFile::encode(Offset recovery_point) {
  Buffer bytes(df::kRecoveryPointBytes);
  store_be<uint32_t>(bytes.data() + df::kRecoveryPointMagicAt, df::kRecoveryPointMagic);
  store_be<int16_t>(bytes.data() + df::kRecoveryPointVersionAt, df::kRecoveryPointVersion);
  store_be<int64_t>(bytes.data() + df::kRecoveryPointOffsetAt, recovery_point.value);
  store_be<uint32_t>(bytes.data() + df::kRecoveryPointCrcAt,
                     protocol::crc32c(bytes.data(), df::kRecoveryPointCrcAt));
  return bytes;
}

std::optional<Offset> RecoveryPointFile::decode(ByteView bytes) {
  if (bytes.size() != df::kRecoveryPointBytes) return std::nullopt;
  if (load_be<uint32_t>(bytes.data() + df::kRecoveryPointMagicAt) != df::kRecoveryPointMagic) {
    return std::nullopt;
  }
  if (load_be<int16_t>(bytes.data() + df::kRecoveryPointVersionAt) != df::kRecoveryPointVersion) {
    return std::nullopt;
  }
  if (load_be<uint32_t>(bytes.data() + df::kRecoveryPointCrcAt) !=
      protocol::crc32c(bytes.data(), df::kRecoveryPointCrcAt)) {
    return std::nullopt;
  }
  const int64_t offset = load_be<int64_t>(bytes.data() + df::kRecoveryPointOffsetAt);
  if (offset < 0) return std::nullopt;
  return Offset{offset};
}

std::optional<Offset> RecoveryPointFile::read(FileSystem& file_system,
                                              const std::filesystem::path& directory) {
  auto file = file_system.open(directory / df::kRecoveryPointName, OpenMode::open_existing);
  if (!file) return std::nullopt;
  char bytes[df::kRecoveryPointBytes + 1];  // one more, to notice a file that is too long
  auto read = (*file)->read_at(0, bytes);
  if (!read) return std::nullopt;
  return decode(ByteView(bytes, *read));
}

Status RecoveryPointFile::write(FileSystem& file_system, const std::filesystem::path& directory,
                                Offset recovery_point, bool durable) {
  const Buffer bytes = encode(recovery_point);
  return replace_small_file(file_system, directory, df::kRecoveryPointName, bytes, durable);
}

}  // namespace millrace::storage
