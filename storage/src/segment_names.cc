#include "segment_names.h"

#include <cassert>
#include <charconv>

#include "millrace/storage/disk_format.h"

namespace millrace::storage {

namespace df = disk_format;

std::string segment_name(Offset base_offset) {
  assert(base_offset.value >= 0);
  std::string name(df::kSegmentNameDigits, '0');
  char digits[df::kSegmentNameDigits];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), base_offset.value);
  assert(ec == std::errc());
  const auto length = static_cast<size_t>(end - digits);
  name.replace(df::kSegmentNameDigits - length, length, digits, length);
  return name;
}

std::filesystem::path segment_log_path(const std::filesystem::path& directory, Offset base_offset) {
  return directory / (segment_name(base_offset) + std::string(df::kLogSuffix));
}

std::filesystem::path segment_index_path(const std::filesystem::path& directory, Offset base_offset) {
  return directory / (segment_name(base_offset) + std::string(df::kIndexSuffix));
}

std::filesystem::path segment_time_index_path(const std::filesystem::path& directory, Offset base_offset) {
  return directory / (segment_name(base_offset) + std::string(df::kTimeIndexSuffix));
}

std::optional<Offset> parse_segment_log_name(std::string_view file_name) {
  if (file_name.size() != df::kSegmentNameDigits + df::kLogSuffix.size()) return std::nullopt;
  if (!file_name.ends_with(df::kLogSuffix)) return std::nullopt;
  const std::string_view digits = file_name.substr(0, df::kSegmentNameDigits);
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || value < 0) return std::nullopt;
  return Offset{value};
}

}  // namespace millrace::storage
