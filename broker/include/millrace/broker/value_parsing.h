#pragma once
// Parsing of config values from their string forms, shared by broker and topic configs.
#include <cstdint>
#include <optional>
#include <string_view>

namespace millrace::broker {

// A whole decimal integer in [min, max]; nullopt otherwise.
std::optional<int64_t> parse_int_in_range(std::string_view text, int64_t min, int64_t max);

}  // namespace millrace::broker
