#pragma once
// Replaces a small metadata file of a partition directory (recovery point, cleaner checkpoint) all at once:
// write `<name>.tmp`, optionally fsync it, rename it over `<name>`, optionally fsync the directory. A crash
// leaves either the old file or the new one, never a mix.
#include <filesystem>
#include <string_view>

#include "millrace/protocol/bytes.h"
#include "millrace/protocol/result.h"
#include "millrace/storage/file_system.h"

namespace millrace::storage {

Status replace_small_file(FileSystem& file_system, const std::filesystem::path& directory,
                          std::string_view name, ByteView contents, bool durable);

}  // namespace millrace::storage
