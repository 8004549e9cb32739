#pragma once
// ClusterMetadata: one immutable snapshot of what the client knows about brokers, topics and leaders.
// Built from MetadataResponses; shared between threads as shared_ptr<const ClusterMetadata>.
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "millrace.pb.h"
#include "millrace/client/broker_address.h"
#include "millrace/client/topic_partition.h"
#include "millrace/protocol/errc.h"
#include "millrace/protocol/strong_types.h"
#include "string_hash.h"

namespace millrace::client::internal {

struct PartitionInfo {
  PartitionId partition{0};
  NodeId leader{-1};  // -1: no leader
  std::vector<NodeId> replicas;
  protocol::errc error = protocol::errc::none;
};

struct TopicInfo {
  std::string name;
  protocol::errc error = protocol::errc::none;
  std::string error_message;
  std::vector<PartitionInfo> partitions;  // indexed by partition number
  // Where records without a key or partition go: the partitions with a leader, or all if none has one.
  // Computed once per snapshot (merge), not per record.
  std::vector<PartitionId> null_key_candidates;
};

struct ClusterMetadata {
  std::map<NodeId, BrokerAddress> brokers;
  NodeId controller{-1};
  std::string cluster_id;
  std::unordered_map<std::string, TopicInfo, StringHash, std::equal_to<>> topics;
  // The refresh attempt that produced this snapshot (see MetadataCache::attempts()); 0: never refreshed.
  uint64_t attempt = 0;
  std::chrono::steady_clock::time_point updated_at{};

  const TopicInfo* topic(std::string_view name) const;
  // The leader of `tp` if the topic, partition and leader broker are all known.
  std::optional<NodeId> leader_of(const TopicPartition& tp) const;
  std::optional<BrokerAddress> address_of(NodeId node) const;

  // A copy of `base` with the brokers of `response` and its topics replacing or adding to base's.
  static ClusterMetadata merge(const ClusterMetadata& base, const wire::MetadataResponse& response);
};

}  // namespace millrace::client::internal
