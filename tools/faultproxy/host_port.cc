#include "host_port.h"

#include <charconv>

namespace millrace::faultproxy {

Result<HostPort> parse_host_port(std::string_view text) {
  auto invalid = [&] {
    return make_error(std::errc::invalid_argument, "expected HOST:PORT, got '" + std::string(text) + "'");
  };
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) return invalid();
  std::string_view host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535 || host.empty()) {
    return invalid();
  }
  return HostPort{std::string(host), static_cast<uint16_t>(port)};
}

}  // namespace millrace::faultproxy
