#pragma once
// Loads BrokerConfig from YAML and validates it. Every error names the key and the problem, so the daemon
// can print one line and exit non-zero.
#include <string>
#include <string_view>

#include "millrace/broker/broker_config.h"
#include "millrace/protocol/result.h"

namespace millrace::broker {

// Reads `path` (YAML mapping of known keys) over the defaults in `base`.
Result<BrokerConfig> load_config_file(const std::filesystem::path& path, BrokerConfig base = {});
// Parses YAML text (same rules); `origin` names the source in error messages.
Result<BrokerConfig> load_config_text(std::string_view yaml, std::string_view origin, BrokerConfig base = {});
// Sets one key from its string form, as a flag or --set would: e.g. ("node_id", "3").
Status set_config_value(BrokerConfig& config, std::string_view key, std::string_view value);
// Cross-key checks run after everything is applied.
Status validate_config(const BrokerConfig& config);
// Parses "host:port" (IPv6 as "[::1]:9192").
Result<HostPort> parse_host_port(std::string_view text);
// Parses "ID@HOST:PORT,ID@HOST:PORT,..." (empty: no peers).
Result<std::vector<PeerAddress>> parse_peers(std::string_view text);

}  // namespace millrace::broker
