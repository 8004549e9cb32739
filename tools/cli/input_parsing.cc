#include "input_parsing.h"

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

}  // namespace millrace::cli
