#pragma once
// Segment file names: <base offset, 20 digits, zero-padded>.log and .index (see disk_format.h).
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "millrace/protocol/strong_types.h"

namespace millrace::storage {

// "00000000000000000042" for base offset 42.
std::string segment_name(Offset base_offset);
std::filesystem::path segment_log_path(const std::filesystem::path& directory, Offset base_offset);
std::filesystem::path segment_index_path(const std::filesystem::path& directory, Offset base_offset);
std::filesystem::path segment_time_index_path(const std::filesystem::path& directory, Offset base_offset);
// The base offset of a segment's .log file name, or nullopt if `file_name` is not one.
std::optional<Offset> parse_segment_log_name(std::string_view file_name);

}  // namespace millrace::storage
