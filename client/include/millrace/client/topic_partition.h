#pragma once
// TopicPartition: names one partition of one topic. A plain value; hashable and ordered (by topic, then
// partition) so it can key both std::map and std::unordered_map.
#include <compare>
#include <functional>
#include <string>

#include "millrace/protocol/strong_types.h"

namespace millrace::client {

struct TopicPartition {
  std::string topic;
  PartitionId partition{0};

  auto operator<=>(const TopicPartition&) const = default;
  bool operator==(const TopicPartition&) const = default;

  // "events-3", the form Kafka tools print.
  std::string to_string() const { return topic + "-" + std::to_string(partition.value); }
};

}  // namespace millrace::client

template <>
struct std::hash<millrace::client::TopicPartition> {
  size_t operator()(const millrace::client::TopicPartition& tp) const noexcept {
    return std::hash<std::string>{}(tp.topic) * 31 + std::hash<int32_t>{}(tp.partition.value);
  }
};
