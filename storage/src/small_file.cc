#include "small_file.h"

#include <string>

#include "io_error.h"
#include "millrace/storage/disk_format.h"

namespace millrace::storage {

Status replace_small_file(FileSystem& file_system, const std::filesystem::path& directory,
                          std::string_view name, ByteView contents, bool durable) {
  const std::filesystem::path final_path = directory / name;
  const std::filesystem::path temporary_path =
      directory / (std::string(name) + std::string(disk_format::kTemporarySuffix));
  auto file = file_system.open(temporary_path, OpenMode::open_or_create);
  if (!file) return std::move(file).error();
  if (Status s = (*file)->truncate(0); !s) return s;
  if (Status s = (*file)->append(contents); !s) return s;
  if (durable) {
    if (Status s = (*file)->sync(); !s) return s;
  }
  if (Status s = (*file)->close(); !s) return s;
  std::error_code ec;
  std::filesystem::rename(temporary_path, final_path, ec);
  if (ec) return make_io_error(ec, "rename", temporary_path);
  if (durable) return file_system.sync_directory(directory);
  return {};
}

}  // namespace millrace::storage
