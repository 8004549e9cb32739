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

struct EffectiveTopicConfig {
  int64_t segment_bytes = 0;
  int64_t max_message_bytes = 0;
  int64_t index_interval_bytes = 0;
};

struct TopicConfigEntry {
  std::string name;
  std::string value;
  std::string source;  // "default" (broker config) or "topic" (override)
};

// Refuses unknown keys and bad values (protocol errc::invalid_config, naming the key).
Status validate_topic_config(const TopicConfigOverrides& overrides);
EffectiveTopicConfig resolve_topic_config(const TopicConfigOverrides& overrides,
                                          const BrokerConfig& defaults);
// Every known key with its effective value and where it comes from, sorted by name.
std::vector<TopicConfigEntry> describe_topic_config(const TopicConfigOverrides& overrides,
                                                    const BrokerConfig& defaults);

}  // namespace millrace::broker
