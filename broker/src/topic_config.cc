#include "millrace/broker/topic_config.h"

#include <array>
#include <limits>

#include "millrace/broker/value_parsing.h"
#include "millrace/protocol/errc.h"

namespace millrace::broker {
namespace {

struct TopicKey {
  std::string_view name;
  int64_t min;
  int64_t max;
  int64_t BrokerConfig::*broker_default;
  int64_t EffectiveTopicConfig::*effective;
};

constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();

constexpr std::array<TopicKey, 3> kTopicKeys = {{
    {"index.interval.bytes", 1, kInt32Max, &BrokerConfig::index_interval_bytes,
     &EffectiveTopicConfig::index_interval_bytes},
    {"max.message.bytes", 1024, kInt32Max, &BrokerConfig::max_message_bytes,
     &EffectiveTopicConfig::max_message_bytes},
    {"segment.bytes", 1024, kInt32Max, &BrokerConfig::segment_bytes, &EffectiveTopicConfig::segment_bytes},
}};

const TopicKey* find_key(std::string_view name) {
  for (const auto& key : kTopicKeys) {
    if (key.name == name) return &key;
  }
  return nullptr;
}

}  // namespace

Status validate_topic_config(const TopicConfigOverrides& overrides) {
  using protocol::errc;
  for (const auto& [name, value] : overrides) {
    const TopicKey* key = find_key(name);
    if (key == nullptr) {
      std::string known;
      for (const auto& k : kTopicKeys) known += (known.empty() ? "" : ", ") + std::string(k.name);
      return make_error(errc::invalid_config, "unknown topic config '" + name + "' (known: " + known + ")");
    }
    if (!parse_int_in_range(value, key->min, key->max)) {
      return make_error(errc::invalid_config, "topic config '" + name + "' must be an integer from " +
                                                  std::to_string(key->min) + " to " +
                                                  std::to_string(key->max) + " (got '" + value + "')");
    }
  }
  return {};
}

EffectiveTopicConfig resolve_topic_config(const TopicConfigOverrides& overrides,
                                          const BrokerConfig& defaults) {
  EffectiveTopicConfig effective;
  for (const auto& key : kTopicKeys) {
    effective.*key.effective = defaults.*key.broker_default;
    auto it = overrides.find(std::string(key.name));
    if (it == overrides.end()) continue;
    if (auto v = parse_int_in_range(it->second, key.min, key.max)) effective.*key.effective = *v;
  }
  return effective;
}

std::vector<TopicConfigEntry> describe_topic_config(const TopicConfigOverrides& overrides,
                                                    const BrokerConfig& defaults) {
  const EffectiveTopicConfig effective = resolve_topic_config(overrides, defaults);
  std::vector<TopicConfigEntry> entries;
  for (const auto& key : kTopicKeys) {
    const bool overridden = overrides.count(std::string(key.name)) > 0;
    entries.push_back(
        {std::string(key.name), std::to_string(effective.*key.effective), overridden ? "topic" : "default"});
  }
  return entries;
}

}  // namespace millrace::broker
