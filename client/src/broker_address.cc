#include "millrace/client/broker_address.h"

#include <charconv>

#include "millrace/client/errc.h"

namespace millrace::client {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Result<uint16_t> parse_port(std::string_view text, std::string_view entry) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535) {
    return make_error(errc::invalid_argument, "bad port in broker address '" + std::string(entry) + "'");
  }
  return static_cast<uint16_t>(value);
}

Result<BrokerAddress> parse_one(std::string_view entry) {
  BrokerAddress address;
  std::string_view host = entry;
  std::string_view port;
  if (entry.starts_with('[')) {  // [v6]:port
    const size_t close = entry.find(']');
    if (close == std::string_view::npos) {
      return make_error(errc::invalid_argument,
                        "unclosed '[' in broker address '" + std::string(entry) + "'");
    }
    host = entry.substr(1, close - 1);
    std::string_view rest = entry.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return make_error(errc::invalid_argument, "bad broker address '" + std::string(entry) + "'");
      }
      port = rest.substr(1);
      if (port.empty())
        return make_error(errc::invalid_argument, "empty port in '" + std::string(entry) + "'");
    }
  } else if (const size_t colon = entry.rfind(':'); colon != std::string_view::npos) {
    host = entry.substr(0, colon);
    port = entry.substr(colon + 1);
    if (port.empty()) return make_error(errc::invalid_argument, "empty port in '" + std::string(entry) + "'");
  }
  if (host.empty()) {
    return make_error(errc::invalid_argument, "empty host in broker address '" + std::string(entry) + "'");
  }
  address.host = std::string(host);
  if (!port.empty()) {
    auto parsed = parse_port(port, entry);
    if (!parsed) return std::move(parsed).error();
    address.port = *parsed;
  }
  return address;
}

}  // namespace

std::string BrokerAddress::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<std::vector<BrokerAddress>> parse_bootstrap(std::string_view list) {
  std::vector<BrokerAddress> out;
  while (true) {
    const size_t comma = list.find(',');
    const std::string_view entry = trim(list.substr(0, comma));
    if (!entry.empty()) {
      auto address = parse_one(entry);
      if (!address) return std::move(address).error();
      out.push_back(std::move(*address));
    }
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  if (out.empty()) return make_error(errc::invalid_argument, "bootstrap list is empty");
  return out;
}

}  // namespace millrace::client
