#pragma once
// BrokerAddress and the bootstrap list parser. A bootstrap list is "host:port[,host:port...]"; the client
// contacts these addresses only to learn the cluster's metadata, then talks to brokers by the addresses the
// metadata advertises. IPv6 literals go in brackets: "[::1]:9192". A missing port means kDefaultPort.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "millrace/protocol/result.h"

namespace millrace::client {

constexpr uint16_t kDefaultPort = 9192;
constexpr std::string_view kDefaultBootstrap = "localhost:9192";
// The environment variable the CLI reads for its default bootstrap list.
constexpr const char* kBootstrapEnvironmentVariable = "MILLRACE_BOOTSTRAP";

struct BrokerAddress {
  std::string host;
  uint16_t port = kDefaultPort;

  auto operator<=>(const BrokerAddress&) const = default;
  bool operator==(const BrokerAddress&) const = default;
  std::string to_string() const;
};

// Parses a bootstrap list. Errors (client::errc::invalid_argument): empty list, empty host, bad port.
Result<std::vector<BrokerAddress>> parse_bootstrap(std::string_view list);

}  // namespace millrace::client
