#include "millrace/broker/config_loader.h"

#include <yaml-cpp/yaml.h>

#include <array>
#include <fstream>
#include <functional>
#include <limits>
#include <optional>
#include <sstream>
#include <type_traits>

#include "millrace/broker/errc.h"
#include "millrace/broker/topic_config.h"
#include "millrace/broker/value_parsing.h"

namespace millrace::broker {
namespace {

constexpr int64_t kMiB = 1024 * 1024;
constexpr size_t kMaxRackBytes = 255;

Error config_error(std::string message) {
  return make_error(errc::invalid_config, std::move(message));
}

using Setter = std::function<Status(BrokerConfig&, std::string_view)>;

struct KeySpec {
  std::string_view key;
  Setter set;
};

template <class T>
Setter int_setter(T BrokerConfig::*field, int64_t min, int64_t max) {
  return [field, min, max](BrokerConfig& c, std::string_view v) -> Status {
    auto parsed = parse_int_in_range(v, min, max);
    if (!parsed) {
      return config_error("must be an integer from " + std::to_string(min) + " to " + std::to_string(max) +
                          " (got '" + std::string(v) + "')");
    }
    c.*field = static_cast<T>(*parsed);
    return {};
  };
}

// A broker-wide default of a topic config: checked by the topic key's own rules, so both agree.
template <class T>
Setter topic_default_setter(T BrokerConfig::*field, std::string_view topic_key) {
  return [field, topic_key](BrokerConfig& c, std::string_view v) -> Status {
    if (Status st = validate_topic_config_value(topic_key, v); !st) {
      return config_error("(the default for topic config '" + std::string(topic_key) + "') " +
                          st.error().message);
    }
    if constexpr (std::is_same_v<T, std::string>) {
      c.*field = std::string(v);
    } else {
      c.*field = static_cast<T>(
          *parse_int_in_range(v, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()));
    }
    return {};
  };
}

Setter host_port_setter(HostPort BrokerConfig::*field) {
  return [field](BrokerConfig& c, std::string_view v) -> Status {
    auto parsed = parse_host_port(v);
    if (!parsed) return std::move(parsed).error();
    c.*field = *parsed;
    return {};
  };
}

const std::array<KeySpec, 36>& key_specs() {
  static const std::array<KeySpec, 36> specs = {{
      {"node_id", int_setter(&BrokerConfig::node_id, 0, std::numeric_limits<int32_t>::max())},
      {"data_dir",
       [](BrokerConfig& c, std::string_view v) -> Status {
         if (v.empty()) return config_error("must not be empty");
         c.data_dir = std::string(v);
         return {};
       }},
      {"listen", host_port_setter(&BrokerConfig::listen)},
      {"advertise",
       [](BrokerConfig& c, std::string_view v) -> Status {
         if (v.empty()) {
           c.advertise = {};
           return {};
         }
         auto parsed = parse_host_port(v);
         if (!parsed) return std::move(parsed).error();
         if (parsed->host == "0.0.0.0" || parsed->host == "::" || parsed->port == 0) {
           return config_error("must be an address clients can reach, not '" + std::string(v) + "'");
         }
         c.advertise = *parsed;
         return {};
       }},
      {"peers",
       [](BrokerConfig& c, std::string_view v) -> Status {
         auto parsed = parse_peers(v);
         if (!parsed) return std::move(parsed).error();
         c.peers = std::move(*parsed);
         return {};
       }},
      {"rack",
       [](BrokerConfig& c, std::string_view v) -> Status {
         if (v.size() > kMaxRackBytes) return config_error("must be at most 255 bytes");
         c.rack = std::string(v);
         return {};
       }},
      {"broker_heartbeat_interval_ms", int_setter(&BrokerConfig::broker_heartbeat_interval_ms, 10, 600'000)},
      {"broker_session_timeout_ms", int_setter(&BrokerConfig::broker_session_timeout_ms, 20, 3'600'000)},
      {"raft_tick_ms", int_setter(&BrokerConfig::raft_tick_ms, 1, 10'000)},
      {"election_timeout_ms", int_setter(&BrokerConfig::election_timeout_ms, 10, 600'000)},
      {"heartbeat_interval_ms", int_setter(&BrokerConfig::heartbeat_interval_ms, 1, 600'000)},
      {"max_frame_bytes", int_setter(&BrokerConfig::max_frame_bytes, 1024, 1024 * kMiB)},
      {"max_in_flight_requests_per_connection",
       int_setter(&BrokerConfig::max_in_flight_requests_per_connection, 1, 10000)},
      {"max_connections", int_setter(&BrokerConfig::max_connections, 1, 1'000'000)},
      {"flush",
       [](BrokerConfig& c, std::string_view v) -> Status {
         if (v == "always") {
           c.flush = FlushPolicy::always;
         } else if (v == "interval") {
           c.flush = FlushPolicy::interval;
         } else {
           return config_error("must be 'always' or 'interval' (got '" + std::string(v) + "')");
         }
         return {};
       }},
      {"flush_interval_ms", int_setter(&BrokerConfig::flush_interval_ms, 1, 3'600'000)},
      {"page_cache_window_bytes",
       int_setter(&BrokerConfig::page_cache_window_bytes, 0, int64_t{1} << 50)},
      {"default_partitions", int_setter(&BrokerConfig::default_partitions, 1, 100'000)},
      {"segment_bytes", topic_default_setter(&BrokerConfig::segment_bytes, "segment.bytes")},
      {"max_message_bytes", topic_default_setter(&BrokerConfig::max_message_bytes, "max.message.bytes")},
      {"index_interval_bytes",
       topic_default_setter(&BrokerConfig::index_interval_bytes, "index.interval.bytes")},
      {"segment_ms", topic_default_setter(&BrokerConfig::segment_ms, "segment.ms")},
      {"retention_ms", topic_default_setter(&BrokerConfig::retention_ms, "retention.ms")},
      {"retention_bytes", topic_default_setter(&BrokerConfig::retention_bytes, "retention.bytes")},
      {"cleanup_policy", topic_default_setter(&BrokerConfig::cleanup_policy, "cleanup.policy")},
      {"delete_retention_ms",
       topic_default_setter(&BrokerConfig::delete_retention_ms, "delete.retention.ms")},
      {"min_insync_replicas",
       topic_default_setter(&BrokerConfig::min_insync_replicas, "min.insync.replicas")},
      {"retention_check_interval_ms",
       int_setter(&BrokerConfig::retention_check_interval_ms, 100, 86'400'000)},
      {"cleaner_interval_ms", int_setter(&BrokerConfig::cleaner_interval_ms, 10, 86'400'000)},
      {"cleaner_min_dirty_percent", int_setter(&BrokerConfig::cleaner_min_dirty_percent, 0, 100)},
      {"cleaner_key_map_bytes",
       int_setter(&BrokerConfig::cleaner_key_map_bytes, 64 * 1024, 64 * 1024 * kMiB)},
      {"cleaner_io_bytes_per_second",
       int_setter(&BrokerConfig::cleaner_io_bytes_per_second, -1, std::numeric_limits<int64_t>::max())},
      {"producer_id_expiration_ms",
       int_setter(&BrokerConfig::producer_id_expiration_ms, 1000, std::numeric_limits<int32_t>::max())},
      {"max_open_files", int_setter(&BrokerConfig::max_open_files, 0, 1'000'000)},
      {"shutdown_timeout_ms", int_setter(&BrokerConfig::shutdown_timeout_ms, 0, 600'000)},
      {"log_level",
       [](BrokerConfig& c, std::string_view v) -> Status {
         for (std::string_view level : {"trace", "debug", "info", "warn", "error", "off"}) {
           if (v == level) {
             c.log_level = std::string(v);
             return {};
           }
         }
         return config_error("must be one of trace, debug, info, warn, error, off (got '" + std::string(v) +
                             "')");
       }},
  }};
  return specs;
}

}  // namespace

Result<HostPort> parse_host_port(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return config_error("'" + std::string(text) + "' is not HOST:PORT");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return config_error("'" + std::string(text) + "' is not HOST:PORT");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  auto port_value = parse_int_in_range(port, 0, 65535);
  if (host.empty() || !port_value) {
    return config_error("'" + std::string(text) + "' is not HOST:PORT with a port from 0 to 65535");
  }
  return HostPort{std::string(host), static_cast<uint16_t>(*port_value)};
}

Result<std::vector<PeerAddress>> parse_peers(std::string_view text) {
  std::vector<PeerAddress> peers;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string_view::npos) comma = text.size();
    const std::string_view item = text.substr(pos, comma - pos);
    pos = comma + 1;
    const size_t at = item.find('@');
    auto id = at == std::string_view::npos
                  ? std::optional<int64_t>{}
                  : parse_int_in_range(item.substr(0, at), 0, std::numeric_limits<int32_t>::max());
    if (!id) return config_error("'" + std::string(item) + "' is not ID@HOST:PORT");
    auto address = parse_host_port(item.substr(at + 1));
    if (!address) return std::move(address).error();
    if (address->port == 0) return config_error("peer '" + std::string(item) + "' needs a port");
    for (const auto& p : peers) {
      if (p.node_id == *id) return config_error("node id " + std::to_string(*id) + " is listed twice");
    }
    peers.push_back({static_cast<int32_t>(*id), *address});
  }
  return peers;
}

Status set_config_value(BrokerConfig& config, std::string_view key, std::string_view value) {
  for (const KeySpec& spec : key_specs()) {
    if (spec.key != key) continue;
    Status st = spec.set(config, value);
    if (!st) return config_error("key '" + std::string(key) + "' " + st.error().message);
    return {};
  }
  return config_error("unknown key '" + std::string(key) + "'");
}

Status validate_config(const BrokerConfig& config) {
  if (config.max_message_bytes + 1024 > config.max_frame_bytes) {
    return config_error("key 'max_message_bytes' (" + std::to_string(config.max_message_bytes) +
                        ") must be at least 1024 bytes below 'max_frame_bytes' (" +
                        std::to_string(config.max_frame_bytes) + ")");
  }
  if (config.broker_session_timeout_ms < 2 * config.broker_heartbeat_interval_ms) {
    return config_error(
        "key 'broker_session_timeout_ms' must be at least twice 'broker_heartbeat_interval_ms'");
  }
  if (config.heartbeat_interval_ms < config.raft_tick_ms ||
      config.election_timeout_ms < 2 * config.heartbeat_interval_ms) {
    return config_error(
        "keys 'raft_tick_ms' <= 'heartbeat_interval_ms' and 2 * 'heartbeat_interval_ms' <= "
        "'election_timeout_ms' must hold");
  }
  if (config.max_message_bytes > config.segment_bytes) {
    return config_error("key 'max_message_bytes' must not exceed 'segment_bytes'");
  }
  return {};
}

Result<BrokerConfig> load_config_text(std::string_view yaml, std::string_view origin, BrokerConfig base) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return config_error(std::string(origin) + ": not valid YAML: " + e.what());
  }
  if (root.IsNull()) return base;  // an empty file keeps every default
  if (!root.IsMap()) return config_error(std::string(origin) + ": must be a mapping of key: value");
  for (const auto& entry : root) {
    const std::string key = entry.first.as<std::string>("");
    if (!entry.second.IsScalar() && !entry.second.IsNull()) {
      return config_error(std::string(origin) + ": key '" + key + "' must have a single value");
    }
    const std::string value = entry.second.IsNull() ? std::string() : entry.second.Scalar();
    if (Status st = set_config_value(base, key, value); !st) {
      return config_error(std::string(origin) + ": " + st.error().message);
    }
  }
  return base;
}

Result<BrokerConfig> load_config_file(const std::filesystem::path& path, BrokerConfig base) {
  std::ifstream in(path);
  if (!in) return config_error("cannot read config file '" + path.string() + "'");
  std::stringstream text;
  text << in.rdbuf();
  return load_config_text(text.str(), path.string(), std::move(base));
}

}  // namespace millrace::broker
