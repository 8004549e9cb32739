#include "cluster_metadata.h"

#include <algorithm>

namespace millrace::client::internal {

const TopicInfo* ClusterMetadata::topic(std::string_view name) const {
  auto it = topics.find(name);
  return it == topics.end() ? nullptr : &it->second;
}

std::optional<NodeId> ClusterMetadata::leader_of(const TopicPartition& tp) const {
  const TopicInfo* t = topic(tp.topic);
  if (t == nullptr || t->error != protocol::errc::none) return std::nullopt;
  const auto index = static_cast<size_t>(tp.partition.value);
  if (tp.partition.value < 0 || index >= t->partitions.size()) return std::nullopt;
  const NodeId leader = t->partitions[index].leader;
  if (leader.value < 0 || !brokers.contains(leader)) return std::nullopt;
  return leader;
}

std::optional<BrokerAddress> ClusterMetadata::address_of(NodeId node) const {
  auto it = brokers.find(node);
  if (it == brokers.end()) return std::nullopt;
  return it->second;
}

ClusterMetadata ClusterMetadata::merge(const ClusterMetadata& base, const wire::MetadataResponse& response) {
  ClusterMetadata out;
  out.topics = base.topics;
  for (const auto& b : response.brokers()) {
    out.brokers[NodeId{b.node_id()}] = BrokerAddress{b.host(), static_cast<uint16_t>(b.port())};
  }
  out.controller = NodeId{response.controller_id()};
  out.cluster_id = response.cluster_id();
  for (const auto& t : response.topics()) {
    TopicInfo info;
    info.name = t.name();
    info.error = protocol::errc_from_wire(t.error_code());
    info.error_message = t.error_message();
    for (const auto& p : t.partitions()) {
      PartitionInfo part;
      part.partition = PartitionId{p.partition()};
      part.leader = NodeId{p.leader()};
      part.error = protocol::errc_from_wire(p.error_code());
      for (int32_t r : p.replicas()) part.replicas.push_back(NodeId{r});
      info.partitions.push_back(std::move(part));
    }
    std::sort(info.partitions.begin(), info.partitions.end(),
              [](const PartitionInfo& a, const PartitionInfo& b) { return a.partition < b.partition; });
    // Partition numbers index the vector: a gap would mean a broker bug; keep the topic but drop the gap's
    // tail.
    for (size_t i = 0; i < info.partitions.size(); ++i) {
      if (info.partitions[i].partition.value != static_cast<int32_t>(i)) {
        info.partitions.resize(i);
        break;
      }
    }
    for (const auto& p : info.partitions) {
      if (p.leader.value >= 0) info.null_key_candidates.push_back(p.partition);
    }
    if (info.null_key_candidates.empty()) {
      for (const auto& p : info.partitions) info.null_key_candidates.push_back(p.partition);
    }
    out.topics[info.name] = std::move(info);
  }
  return out;
}

}  // namespace millrace::client::internal
