#pragma once
// Parsing of what the user types: producer input lines and --config key=value pairs. Pure; thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "millrace/protocol/result.h"

namespace millrace::cli {

struct InputRecord {
  std::optional<std::string> key;  // nullopt: no separator given, or none in the line
  std::string value;
};

// One stdin line (without its '\n'; a trailing '\r' is dropped too) as a record. With a non-empty
// `key_separator`, the part before its first occurrence is the key and the rest the value; a line without
// the separator has a null key and is all value.
InputRecord split_input_line(std::string_view line, std::string_view key_separator);

// "segment.bytes=1048576" -> {"segment.bytes", "1048576"}. The value may contain '=' and may be empty; the
// key may not. Errors: client::errc::invalid_argument.
Result<std::pair<std::string, std::string>> parse_config_assignment(std::string_view text);

// A point in time for --from-time, as ms since the epoch: either a whole number of ms, or ISO-8601
// "YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM|-HH:MM]" (also with a space for the T; no zone means UTC).
// Errors: client::errc::invalid_argument.
Result<int64_t> parse_timestamp_ms(std::string_view text);

}  // namespace millrace::cli
