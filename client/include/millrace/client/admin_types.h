#pragma once
// Plain values that Admin takes and returns. They mirror the native protocol's admin messages.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "millrace/client/broker_address.h"
#include "millrace/protocol/result.h"
#include "millrace/protocol/strong_types.h"

namespace millrace::client {

struct NewTopic {
  std::string name;
  int32_t partitions = 1;
  int32_t replication_factor = 0;              // 0: the broker's default
  std::map<std::string, std::string> configs;  // Kafka names: "segment.bytes" -> "1048576"
};

struct TopicListing {
  std::string name;
  int32_t partitions = 0;
  int32_t replication_factor = 0;
};

struct PartitionDescription {
  PartitionId partition{0};
  NodeId leader{-1};  // -1: no leader right now
  std::vector<NodeId> replicas;
  std::vector<NodeId> in_sync_replicas;   // as the leader sees them (a cluster); {the node} on one node
  std::vector<NodeId> adding_replicas;    // a reassignment in progress: replicas joining (else empty)
  std::vector<NodeId> removing_replicas;  // a reassignment in progress: replicas leaving (else empty)
  Offset log_start_offset{0};
  Offset log_end_offset{0};
  Offset high_watermark{0};
  int64_t size_bytes = 0;
  int32_t segment_count = 0;
  std::optional<Error> error;  // the partition is offline on its broker (e.g. KAFKA_STORAGE_ERROR)
  bool reassigning() const { return !adding_replicas.empty() || !removing_replicas.empty(); }
};

struct ConfigEntry {
  std::string name;
  std::string value;
  std::string source;  // "default" or "topic"
};

struct TopicDescription {
  std::string name;
  std::vector<PartitionDescription> partitions;  // ordered by partition
  std::vector<ConfigEntry> configs;              // effective configs
};

struct BrokerNode {
  NodeId node_id{0};
  BrokerAddress address;
  bool alive = true;    // registered and not fenced, in the controller's committed metadata
  std::string rack;     // empty: none
  bool fenced = false;  // missed heartbeats for broker_session_timeout_ms
};

struct ClusterInfo {
  std::string cluster_id;
  NodeId controller_id{-1};
  std::vector<BrokerNode> brokers;  // ordered by node id
};

enum class OffsetSpec { earliest, latest };

}  // namespace millrace::client
