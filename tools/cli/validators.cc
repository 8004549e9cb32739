#include "validators.h"

#include <charconv>
#include <string>

namespace millrace::cli {

CLI::Validator at_least(int64_t minimum) {
  return CLI::Validator(
      [minimum](std::string& text) -> std::string {
        int64_t value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc() || end != text.data() + text.size()) return "'" + text + "' is not an integer";
        if (value < minimum) return "must be >= " + std::to_string(minimum) + ", got " + text;
        return {};
      },
      "INT>=" + std::to_string(minimum));
}

}  // namespace millrace::cli
