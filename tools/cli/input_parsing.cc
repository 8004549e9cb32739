#include "input_parsing.h"

#include <charconv>

#include "millrace/client/errc.h"

namespace millrace::cli {

InputRecord split_input_line(std::string_view line, std::string_view key_separator) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  InputRecord out;
  if (!key_separator.empty()) {
    const size_t at = line.find(key_separator);
    if (at != std::string_view::npos) {
      out.key = std::string(line.substr(0, at));
      line.remove_prefix(at + key_separator.size());
    }
  }
  out.value = std::string(line);
  return out;
}

Result<std::pair<std::string, std::string>> parse_config_assignment(std::string_view text) {
  const size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return make_error(client::errc::invalid_argument,
                      "--config '" + std::string(text) + "' is not of the form key=value");
  }
  return std::make_pair(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
}

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// Reads exactly `digits` decimal digits at `pos`.
std::optional<int64_t> read_digits(std::string_view text, size_t& pos, size_t digits) {
  if (text.size() - pos < digits) return std::nullopt;
  int64_t value = 0;
  for (size_t i = 0; i < digits; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += digits;
  return value;
}

bool expect(std::string_view text, size_t& pos, std::string_view chars) {
  if (pos >= text.size() || chars.find(text[pos]) == std::string_view::npos) return false;
  ++pos;
  return true;
}

std::optional<int64_t> parse_iso8601(std::string_view t) {
  size_t p = 0;
  auto year = read_digits(t, p, 4);
  if (!year || !expect(t, p, "-")) return std::nullopt;
  auto month = read_digits(t, p, 2);
  if (!month || !expect(t, p, "-")) return std::nullopt;
  auto day = read_digits(t, p, 2);
  if (!day || !expect(t, p, "T ")) return std::nullopt;
  auto hour = read_digits(t, p, 2);
  if (!hour || !expect(t, p, ":")) return std::nullopt;
  auto minute = read_digits(t, p, 2);
  if (!minute || !expect(t, p, ":")) return std::nullopt;
  auto second = read_digits(t, p, 2);
  if (!second) return std::nullopt;
  if (*month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 || *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  int64_t millis = 0;
  if (p < t.size() && t[p] == '.') {
    ++p;
    int64_t scale = 100;
    size_t fraction_digits = 0;
    while (p < t.size() && t[p] >= '0' && t[p] <= '9') {
      millis += (t[p] - '0') * scale;
      scale /= 10;
      ++p;
      ++fraction_digits;
    }
    if (fraction_digits == 0) return std::nullopt;
  }
  int64_t offset_minutes = 0;
  if (p < t.size()) {
    if (t[p] == 'Z') {
      ++p;
    } else if (t[p] == '+' || t[p] == '-') {
      const int64_t sign = t[p] == '-' ? -1 : 1;
      ++p;
      auto oh = read_digits(t, p, 2);
      if (!oh || !expect(t, p, ":")) return std::nullopt;
      auto om = read_digits(t, p, 2);
      if (!om || *oh > 23 || *om > 59) return std::nullopt;
      offset_minutes = sign * (*oh * 60 + *om);
    }
  }
  if (p != t.size()) return std::nullopt;
  const int64_t seconds = days_from_civil(*year, *month, *day) * 86400 + *hour * 3600 + *minute * 60 +
                          *second - offset_minutes * 60;
  return seconds * 1000 + millis;
}

}  // namespace

Result<int64_t> parse_timestamp_ms(std::string_view text) {
  int64_t ms = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
  if (!text.empty() && ec == std::errc() && end == text.data() + text.size() && ms >= 0) return ms;
  if (auto iso = parse_iso8601(text)) return *iso;
  return make_error(
      client::errc::invalid_argument,
      "'" + std::string(text) + "' is neither ms since the epoch nor ISO-8601 like 2026-11-21T08:00:00Z");
}

}  // namespace millrace::cli
