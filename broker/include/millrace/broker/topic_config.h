#pragma once
// Per-topic configuration with Kafka's key names. A topic stores only its overrides; effective values fall
// back to the broker-wide defaults in BrokerConfig.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "millrace/broker/broker_config.h"
#include "millrace/protocol/result.h"

namespace millrace::broker {

using TopicConfigOverrides = std::map<std::string, std::string>;

enum class CleanupPolicy { delete_segments, compact, compact_and_delete };

struct EffectiveTopicConfig {
  int64_t segment_bytes = 0;
  int64_t segment_ms = 0;
  int64_t retention_ms = 0;     // -1: keep forever
  int64_t retention_bytes = 0;  // -1: no size limit
  CleanupPolicy cleanup_policy = CleanupPolicy::delete_segments;
  int64_t delete_retention_ms = 0;
  int64_t max_message_bytes = 0;
  int32_t min_insync_replicas = 1;
  int64_t index_interval_bytes = 0;
};

struct TopicConfigEntry {
  std::string name;
  std::string value;
  std::string source;  // "default" (broker config) or "topic" (override)
};

// Refuses unknown keys and bad values (protocol errc::invalid_config, naming the key).
Status validate_topic_config(const TopicConfigOverrides& overrides);
bool is_known_topic_config(std::string_view key);
// Checks one key's value as a broker-wide default (the YAML form of the same setting).
Status validate_topic_config_value(std::string_view key, std::string_view value);
EffectiveTopicConfig resolve_topic_config(const TopicConfigOverrides& overrides,
                                          const BrokerConfig& defaults);
// Every known key with its effective value and where it comes from, sorted by name.
std::vector<TopicConfigEntry> describe_topic_config(const TopicConfigOverrides& overrides,
                                                    const BrokerConfig& defaults);

}  // namespace millrace::broker
