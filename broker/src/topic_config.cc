#include "millrace/broker/topic_config.h"

#include <array>
#include <limits>

#include "millrace/broker/value_parsing.h"
#include "millrace/protocol/errc.h"

namespace millrace::broker {
namespace {

using protocol::errc;

constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

constexpr std::array<std::string_view, 4> kCleanupPolicies = {"delete", "compact", "compact,delete",
                                                              "delete,compact"};

// One topic config key: Kafka's name, how its value is checked, where its broker default comes from, and how
// an accepted value lands in EffectiveTopicConfig.
struct TopicKey {
  std::string_view name;
  int64_t min;  // integer keys; a choice key has min > max
  int64_t max;
  std::string (*broker_default)(const BrokerConfig&);
  void (*apply)(EffectiveTopicConfig&, std::string_view);
};

int64_t as_int(std::string_view v) {
  return parse_int_in_range(v, std::numeric_limits<int64_t>::min(), kInt64Max).value_or(0);
}

CleanupPolicy as_policy(std::string_view v) {
  if (v == "compact") return CleanupPolicy::compact;
  if (v == "compact,delete" || v == "delete,compact") return CleanupPolicy::compact_and_delete;
  return CleanupPolicy::delete_segments;
}

constexpr std::array<TopicKey, 9> kTopicKeys = {{
    {"cleanup.policy", 1, 0, [](const BrokerConfig& b) { return b.cleanup_policy; },
     [](EffectiveTopicConfig& e, std::string_view v) { e.cleanup_policy = as_policy(v); }},
    {"delete.retention.ms", 0, kInt64Max,
     [](const BrokerConfig& b) { return std::to_string(b.delete_retention_ms); },
     [](EffectiveTopicConfig& e, std::string_view v) { e.delete_retention_ms = as_int(v); }},
    {"index.interval.bytes", 1, kInt32Max,
     [](const BrokerConfig& b) { return std::to_string(b.index_interval_bytes); },
     [](EffectiveTopicConfig& e, std::string_view v) { e.index_interval_bytes = as_int(v); }},
    {"max.message.bytes", 1024, kInt32Max,
     [](const BrokerConfig& b) { return std::to_string(b.max_message_bytes); },
     [](EffectiveTopicConfig& e, std::string_view v) { e.max_message_bytes = as_int(v); }},
    {"min.insync.replicas", 1, kInt32Max,
     [](const BrokerConfig& b) { return std::to_string(b.min_insync_replicas); },
     [](EffectiveTopicConfig& e, std::string_view v) {
       e.min_insync_replicas = static_cast<int32_t>(as_int(v));
     }},
    {"retention.bytes", -1, kInt64Max,
     [](const BrokerConfig& b) { return std::to_string(b.retention_bytes); },
     [](EffectiveTopicConfig& e, std::string_view v) { e.retention_bytes = as_int(v); }},
    {"retention.ms", -1, kInt64Max, [](const BrokerConfig& b) { return std::to_string(b.retention_ms); },
     [](EffectiveTopicConfig& e, std::string_view v) { e.retention_ms = as_int(v); }},
    {"segment.bytes", 1024, kInt32Max, [](const BrokerConfig& b) { return std::to_string(b.segment_bytes); },
     [](EffectiveTopicConfig& e, std::string_view v) { e.segment_bytes = as_int(v); }},
    {"segment.ms", 1, kInt64Max, [](const BrokerConfig& b) { return std::to_string(b.segment_ms); },
     [](EffectiveTopicConfig& e, std::string_view v) { e.segment_ms = as_int(v); }},
}};

const TopicKey* find_key(std::string_view name) {
  for (const auto& key : kTopicKeys) {
    if (key.name == name) return &key;
  }
  return nullptr;
}

std::string known_keys() {
  std::string known;
  for (const auto& k : kTopicKeys) known += (known.empty() ? "" : ", ") + std::string(k.name);
  return known;
}

}  // namespace

bool is_known_topic_config(std::string_view key) {
  return find_key(key) != nullptr;
}

Status validate_topic_config_value(std::string_view name, std::string_view value) {
  const TopicKey* key = find_key(name);
  if (key == nullptr) {
    return make_error(errc::invalid_config,
                      "unknown topic config '" + std::string(name) + "' (known: " + known_keys() + ")");
  }
  if (key->min > key->max) {
    for (auto choice : kCleanupPolicies) {
      if (value == choice) return {};
    }
    return make_error(errc::invalid_config,
                      "topic config '" + std::string(name) +
                          "' must be one of delete, compact, compact,delete, delete,compact (got '" +
                          std::string(value) + "')");
  }
  if (!parse_int_in_range(value, key->min, key->max)) {
    return make_error(errc::invalid_config, "topic config '" + std::string(name) +
                                                "' must be an integer from " + std::to_string(key->min) +
                                                " to " + std::to_string(key->max) + " (got '" +
                                                std::string(value) + "')");
  }
  return {};
}

Status validate_topic_config(const TopicConfigOverrides& overrides) {
  for (const auto& [name, value] : overrides) {
    if (Status st = validate_topic_config_value(name, value); !st) return st;
  }
  return {};
}

EffectiveTopicConfig resolve_topic_config(const TopicConfigOverrides& overrides,
                                          const BrokerConfig& defaults) {
  EffectiveTopicConfig effective;
  for (const auto& key : kTopicKeys) {
    auto it = overrides.find(std::string(key.name));
    key.apply(effective, it == overrides.end() ? key.broker_default(defaults) : it->second);
  }
  return effective;
}

std::vector<TopicConfigEntry> describe_topic_config(const TopicConfigOverrides& overrides,
                                                    const BrokerConfig& defaults) {
  std::vector<TopicConfigEntry> entries;
  for (const auto& key : kTopicKeys) {
    auto it = overrides.find(std::string(key.name));
    const bool overridden = it != overrides.end();
    entries.push_back({std::string(key.name), overridden ? it->second : key.broker_default(defaults),
                       overridden ? "topic" : "default"});
  }
  return entries;
}

}  // namespace millrace::broker
