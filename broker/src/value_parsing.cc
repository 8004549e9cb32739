#include "millrace/broker/value_parsing.h"

#include <charconv>

namespace millrace::broker {

std::optional<int64_t> parse_int_in_range(std::string_view text, int64_t min, int64_t max) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  if (value < min || value > max) return std::nullopt;
  return value;
}

}  // namespace millrace::broker
