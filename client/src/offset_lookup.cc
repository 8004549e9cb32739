#include "offset_lookup.h"

#include <set>

#include "millrace.pb.h"

namespace millrace::client::internal {

namespace {

// Why `tp` has no leader in `metadata`, as an error.
Error no_leader_error(const ClusterMetadata& metadata, const TopicPartition& tp) {
  const TopicInfo* topic = metadata.topic(tp.topic);
  if (topic == nullptr || topic->error == protocol::errc::unknown_topic_or_partition) {
    return make_error(protocol::errc::unknown_topic_or_partition, "topic '" + tp.topic + "'");
  }
  if (topic->error != protocol::errc::none) {
    return make_error(topic->error, "topic '" + tp.topic + "': " + topic->error_message);
  }
  if (tp.partition.value < 0 || static_cast<size_t>(tp.partition.value) >= topic->partitions.size()) {
    return make_error(protocol::errc::unknown_topic_or_partition,
                      "partition " + std::to_string(tp.partition.value) + " of topic '" + tp.topic +
                          "' does not exist (it has " + std::to_string(topic->partitions.size()) + ")");
  }
  return make_error(protocol::errc::leader_not_available, tp.to_string() + " has no leader");
}

}  // namespace

Result<std::map<TopicPartition, Offset>> lookup_offsets(NetworkClient& network,
                                                        const std::vector<TopicPartition>& partitions,
                                                        int64_t timestamp) {
  std::map<TopicPartition, Offset> out;
  if (partitions.empty()) return out;
  auto metadata = network.metadata().snapshot();
  const auto all_known = [&] {
    for (const auto& tp : partitions) {
      if (!metadata->leader_of(tp)) return false;
    }
    return true;
  };
  if (!all_known()) {
    std::set<std::string> topics;
    for (const auto& tp : partitions) topics.insert(tp.topic);
    if (auto st = network.refresh_metadata({topics.begin(), topics.end()}); !st) return std::move(st).error();
    metadata = network.metadata().snapshot();
  }
  std::map<NodeId, wire::ListOffsetsRequest> requests;
  for (const auto& tp : partitions) {
    auto leader = metadata->leader_of(tp);
    if (!leader) return no_leader_error(*metadata, tp);
    auto* p = requests[*leader].add_partitions();
    p->set_topic(tp.topic);
    p->set_partition(tp.partition.value);
    p->set_timestamp(timestamp);
  }
  for (const auto& [node, request] : requests) {
    auto response =
        network.call_and_decode<wire::ListOffsetsResponse>(node, protocol::ApiKey::list_offsets, request);
    if (!response) return std::move(response).error();
    for (const auto& r : response->results()) {
      const TopicPartition tp{r.topic(), PartitionId{r.partition()}};
      if (r.error_code() != 0)
        return error_from_wire(r.error_code(), r.error_message(), tp.to_string(), tp.to_string());
      out[tp] = Offset{r.offset()};
    }
  }
  for (const auto& tp : partitions) {
    if (!out.contains(tp))
      return make_error(errc::bad_response, "no list_offsets result for " + tp.to_string());
  }
  return out;
}

}  // namespace millrace::client::internal
