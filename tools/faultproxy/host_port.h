#pragma once
// HostPort: "HOST:PORT" as given on the command line. Pure.
#include <cstdint>
#include <string>
#include <string_view>

#include "millrace/protocol/result.h"

namespace millrace::faultproxy {

struct HostPort {
  std::string host;
  uint16_t port = 0;

  std::string to_string() const { return host + ":" + std::to_string(port); }
};

// Splits at the last ':'; the host may be "[::1]" (brackets are removed). Port 0..65535.
Result<HostPort> parse_host_port(std::string_view text);

}  // namespace millrace::faultproxy
