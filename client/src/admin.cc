#include "millrace/client/admin.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include "cluster.pb.h"
#include "millrace.pb.h"
#include "millrace/client/errc.h"
#include "millrace/protocol/list_offsets.h"
#include "network_client.h"
#include "offset_lookup.h"

namespace millrace::client {

namespace {

PartitionDescription to_partition_description(const wire::PartitionDescription& p) {
  PartitionDescription out;
  out.partition = PartitionId{p.partition()};
  out.leader = NodeId{p.leader()};
  for (int32_t r : p.replicas()) out.replicas.push_back(NodeId{r});
  out.log_start_offset = Offset{p.log_start_offset()};
  out.log_end_offset = Offset{p.log_end_offset()};
  out.high_watermark = Offset{p.high_watermark()};
  out.size_bytes = p.size_bytes();
  out.segment_count = p.segment_count();
  for (int32_t r : p.in_sync_replicas()) out.in_sync_replicas.push_back(NodeId{r});
  for (int32_t r : p.adding_replicas()) out.adding_replicas.push_back(NodeId{r});
  for (int32_t r : p.removing_replicas()) out.removing_replicas.push_back(NodeId{r});
  if (p.error_code() != 0) {
    out.error = Error{protocol::make_error_code(protocol::errc_from_wire(p.error_code())), p.error_message()};
  }
  return out;
}

TopicDescription to_topic_description(const wire::TopicDescription& t) {
  TopicDescription out;
  out.name = t.name();
  for (const auto& p : t.partitions()) out.partitions.push_back(to_partition_description(p));
  std::sort(out.partitions.begin(), out.partitions.end(),
            [](const auto& a, const auto& b) { return a.partition < b.partition; });
  for (const auto& c : t.configs()) out.configs.push_back(ConfigEntry{c.name(), c.value(), c.source()});
  std::sort(out.configs.begin(), out.configs.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

Status topic_result_status(const google::protobuf::RepeatedPtrField<wire::TopicResult>& results,
                           const std::string& name) {
  for (const auto& r : results) {
    if (r.name() != name) continue;
    if (r.error_code() == 0) return {};
    return internal::error_from_wire(r.error_code(), r.error_message(), "topic '" + name + "'", name);
  }
  return make_error(errc::bad_response, "the broker's response does not mention topic '" + name + "'");
}

}  // namespace

constexpr auto kControllerRetryTimeout = std::chrono::seconds(15);
constexpr auto kControllerRetryBackoff = std::chrono::milliseconds(100);

// Admin::Impl: one blocking request per call (plus a metadata request where the leader or controller
// matters).
class Admin::Impl {
 public:
  explicit Impl(std::unique_ptr<internal::NetworkClient> network) : network_(std::move(network)) {}

  internal::NetworkClient& network() { return *network_; }

  // The controller if the metadata names a known one, else any broker.
  internal::NetworkClient::Destination controller() {
    const auto metadata = network_->metadata().snapshot();
    if (metadata->controller.value >= 0 && metadata->brokers.contains(metadata->controller)) {
      return metadata->controller;
    }
    return std::nullopt;
  }

  // In a cluster a partition's in-sync replicas and high watermark are best known by its leader: asks each
  // leader named in `described` for its own view of the partitions it leads. A leader that cannot be asked
  // leaves the first answer in place.
  void merge_leader_views(const wire::DescribeTopicsRequest& request,
                          std::vector<TopicDescription>& described) {
    std::set<NodeId> leaders;
    for (const auto& t : described) {
      for (const auto& p : t.partitions) {
        if (p.leader.value >= 0 && p.replicas.size() > 1) leaders.insert(p.leader);
      }
    }
    if (leaders.empty()) return;
    if (network_->metadata().snapshot()->brokers.empty()) (void)network_->refresh_metadata({});
    for (NodeId leader : leaders) {
      if (!network_->metadata().snapshot()->brokers.contains(leader)) continue;
      auto response = network_->call_and_decode<wire::DescribeTopicsResponse>(
          leader, protocol::ApiKey::describe_topics, request);
      if (!response) continue;
      for (const auto& t : response->topics()) {
        auto topic = std::find_if(described.begin(), described.end(),
                                  [&](const auto& d) { return d.name == t.name(); });
        if (topic == described.end() || t.error_code() != 0) continue;
        for (const auto& p : t.partitions()) {
          if (p.leader() != leader.value) continue;
          for (auto& mine : topic->partitions) {
            if (mine.partition.value == p.partition()) mine = to_partition_description(p);
          }
        }
      }
    }
  }

  // Runs `call` against the controller leader as the metadata knows it (any broker if none is known);
  // while the node asked answers NOT_CONTROLLER (it is not the leader, or none is elected yet) or cannot
  // be reached (the metadata still names a controller that died), refreshes metadata and retries, until
  // kControllerRetryTimeout.
  template <class F>
  auto on_controller(F&& call) -> decltype(call(internal::NetworkClient::Destination{})) {
    const auto deadline = std::chrono::steady_clock::now() + kControllerRetryTimeout;
    for (;;) {
      auto result = call(controller());
      if (result ||
          (result.error().code != protocol::errc::not_controller &&
           result.error().code != protocol::errc::network_exception) ||
          std::chrono::steady_clock::now() >= deadline) {
        return result;
      }
      std::this_thread::sleep_for(kControllerRetryBackoff);  // an election is under way
      (void)network_->refresh_metadata({});
    }
  }

 private:
  std::unique_ptr<internal::NetworkClient> network_;
};

Result<std::unique_ptr<Admin>> Admin::create(ConnectionConfig config) {
  auto network = internal::NetworkClient::create(config, "millrace-admin");
  if (!network) return std::move(network).error();
  return std::unique_ptr<Admin>(new Admin(std::make_unique<Impl>(std::move(*network))));
}

Admin::Admin(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Admin::~Admin() = default;

Status Admin::create_topic(const NewTopic& topic) {
  wire::CreateTopicsRequest request;
  auto* spec = request.add_topics();
  spec->set_name(topic.name);
  spec->set_partitions(topic.partitions);
  spec->set_replication_factor(topic.replication_factor);
  for (const auto& [key, value] : topic.configs) (*spec->mutable_configs())[key] = value;
  return impl_->on_controller([&](internal::NetworkClient::Destination to) -> Status {
    auto response = impl_->network().call_and_decode<wire::CreateTopicsResponse>(
        to, protocol::ApiKey::create_topics, request);
    if (!response) return std::move(response).error();
    return topic_result_status(response->results(), topic.name);
  });
}

Status Admin::create_topic(const std::string& name, int32_t partitions,
                           const std::map<std::string, std::string>& configs) {
  return create_topic(NewTopic{name, partitions, 0, configs});
}

Status Admin::delete_topic(const std::string& name) {
  wire::DeleteTopicsRequest request;
  request.add_names(name);
  return impl_->on_controller([&](internal::NetworkClient::Destination to) -> Status {
    auto response = impl_->network().call_and_decode<wire::DeleteTopicsResponse>(
        to, protocol::ApiKey::delete_topics, request);
    if (!response) return std::move(response).error();
    return topic_result_status(response->results(), name);
  });
}

Status Admin::alter_topic_config(const std::string& name, const std::map<std::string, std::string>& set,
                                 const std::vector<std::string>& remove) {
  wire::AlterTopicConfigRequest request;
  request.set_topic(name);
  for (const auto& [key, value] : set) (*request.mutable_set())[key] = value;
  for (const auto& key : remove) request.add_remove(key);
  return impl_->on_controller([&](internal::NetworkClient::Destination to) -> Status {
    auto response = impl_->network().call_and_decode<wire::AlterTopicConfigResponse>(
        to, protocol::ApiKey::alter_topic_config, request);
    if (!response) return std::move(response).error();
    google::protobuf::RepeatedPtrField<wire::TopicResult> results;
    *results.Add() = response->result();
    return topic_result_status(results, name);
  });
}

Status Admin::add_partitions(const std::string& name, int32_t total_partitions) {
  wire::CreatePartitionsRequest request;
  request.set_topic(name);
  request.set_total_partitions(total_partitions);
  return impl_->on_controller([&](internal::NetworkClient::Destination to) -> Status {
    auto response = impl_->network().call_and_decode<wire::CreatePartitionsResponse>(
        to, protocol::ApiKey::create_partitions, request);
    if (!response) return std::move(response).error();
    if (response->error_code() == 0) return {};
    return internal::error_from_wire(response->error_code(), response->error_message(),
                                     "topic '" + name + "'", name);
  });
}

Status Admin::transfer_leadership(const std::string& topic, int32_t partition, NodeId target) {
  const std::string name = topic + "-" + std::to_string(partition);
  auto described = describe_topic(topic);
  if (!described) return std::move(described).error();
  auto p = std::find_if(described->partitions.begin(), described->partitions.end(),
                        [&](const auto& d) { return d.partition.value == partition; });
  if (p == described->partitions.end()) {
    return make_error(protocol::errc::unknown_topic_or_partition,
                      "topic '" + topic + "' has no partition " + std::to_string(partition));
  }
  if (p->leader.value < 0)
    return make_error(protocol::errc::leader_not_available, name + " has no leader now");
  wire::TransferLeadershipRequest request;
  request.set_topic(topic);
  request.set_partition(partition);
  request.set_target(target.value);
  auto response = impl_->network().call_and_decode<wire::TransferLeadershipResponse>(
      p->leader, protocol::ApiKey::transfer_leadership, request);
  if (!response) return std::move(response).error();
  if (response->error_code() == 0) return {};
  return internal::error_from_wire(response->error_code(), response->error_message(), name, name);
}

Status Admin::reassign_partition(const std::string& topic, int32_t partition,
                                 const std::vector<NodeId>& replicas) {
  const std::string name = topic + "-" + std::to_string(partition);
  wire::AlterPartitionReassignmentRequest request;
  request.set_topic(topic);
  request.set_partition(partition);
  for (NodeId r : replicas) request.add_replicas(r.value);
  return impl_->on_controller([&](internal::NetworkClient::Destination to) -> Status {
    auto response = impl_->network().call_and_decode<wire::AlterPartitionReassignmentResponse>(
        to, protocol::ApiKey::alter_partition_reassignment, request);
    if (!response) return std::move(response).error();
    if (response->error_code() == 0) return {};
    return internal::error_from_wire(response->error_code(), response->error_message(), name, topic);
  });
}

Result<std::vector<TopicListing>> Admin::list_topics() {
  auto response = impl_->network().call_and_decode<wire::ListTopicsResponse>(
      impl_->controller(), protocol::ApiKey::list_topics, wire::ListTopicsRequest{});
  if (!response) return std::move(response).error();
  std::vector<TopicListing> out;
  for (const auto& t : response->topics())
    out.push_back(TopicListing{t.name(), t.partitions(), t.replication_factor()});
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

Result<TopicDescription> Admin::describe_topic(const std::string& name) {
  auto described = describe_topics({name});
  if (!described) return std::move(described).error();
  return std::move(described->front());
}

Result<std::vector<TopicDescription>> Admin::describe_topics(const std::vector<std::string>& names) {
  wire::DescribeTopicsRequest request;
  for (const auto& name : names) request.add_names(name);
  const auto first = impl_->controller();
  auto response = impl_->network().call_and_decode<wire::DescribeTopicsResponse>(
      first, protocol::ApiKey::describe_topics, request);
  if (!response) return std::move(response).error();
  // In a cluster a node may not have applied a topic the controller just created: ask the controller
  // leader before calling a topic unknown.
  const bool some_unknown =
      std::any_of(response->topics().begin(), response->topics().end(), [](const auto& t) {
        return t.error_code() == static_cast<int32_t>(protocol::errc::unknown_topic_or_partition);
      });
  if (some_unknown && !first && impl_->network().refresh_metadata({}).ok()) {
    const auto controller = impl_->controller();
    if (controller && impl_->network().metadata().snapshot()->brokers.size() > 1) {
      auto again = impl_->network().call_and_decode<wire::DescribeTopicsResponse>(
          controller, protocol::ApiKey::describe_topics, request);
      if (again) response = std::move(again);
    }
  }
  std::vector<TopicDescription> out;
  for (const auto& name : names) {
    auto it = std::find_if(response->topics().begin(), response->topics().end(),
                           [&](const wire::TopicDescription& t) { return t.name() == name; });
    if (it == response->topics().end()) {
      return make_error(errc::bad_response, "the broker's response does not describe topic '" + name + "'");
    }
    if (it->error_code() != 0)
      return internal::error_from_wire(it->error_code(), it->error_message(), "topic '" + name + "'", name);
    out.push_back(to_topic_description(*it));
  }
  impl_->merge_leader_views(request, out);
  return out;
}

Result<ClusterInfo> Admin::cluster_info() {
  auto response = impl_->network().call_and_decode<wire::MetadataResponse>(
      std::nullopt, protocol::ApiKey::metadata, wire::MetadataRequest{});
  if (!response) return std::move(response).error();
  impl_->network().metadata().apply(*response);
  // Every node has the committed broker list; the controller leader has it first, so ask it.
  if (auto controller = impl_->controller()) {
    auto from_controller = impl_->network().call_and_decode<wire::MetadataResponse>(
        controller, protocol::ApiKey::metadata, wire::MetadataRequest{});
    if (from_controller) response = std::move(from_controller);
  }
  ClusterInfo out;
  out.cluster_id = response->cluster_id();
  out.controller_id = NodeId{response->controller_id()};
  auto add = [&out](const wire::BrokerInfo& b) {
    out.brokers.push_back(BrokerNode{NodeId{b.node_id()},
                                     BrokerAddress{b.host(), static_cast<uint16_t>(b.port())}, b.alive(),
                                     b.rack(), b.fenced()});
  };
  for (const auto& b : response->brokers()) add(b);
  for (const auto& b : response->fenced_brokers()) add(b);
  std::sort(out.brokers.begin(), out.brokers.end(),
            [](const auto& a, const auto& b) { return a.node_id < b.node_id; });
  return out;
}

Result<std::map<TopicPartition, Offset>> Admin::list_offsets(const std::vector<TopicPartition>& partitions,
                                                             OffsetSpec spec) {
  const int64_t timestamp =
      spec == OffsetSpec::earliest ? protocol::kListOffsetsEarliest : protocol::kListOffsetsLatest;
  return internal::lookup_offsets(impl_->network(), partitions, timestamp);
}

Result<std::map<TopicPartition, Offset>> Admin::list_offsets(const std::string& topic, OffsetSpec spec) {
  auto partitions = partitions_of(topic);
  if (!partitions) return std::move(partitions).error();
  return list_offsets(*partitions, spec);
}

Result<std::map<TopicPartition, Offset>> Admin::list_offsets_for_timestamp(const std::string& topic,
                                                                           int64_t timestamp_ms) {
  if (timestamp_ms < 0) {
    return make_error(errc::invalid_argument, "timestamp " + std::to_string(timestamp_ms) + " is negative");
  }
  auto partitions = partitions_of(topic);
  if (!partitions) return std::move(partitions).error();
  return internal::lookup_offsets(impl_->network(), *partitions, timestamp_ms);
}

Result<std::vector<TopicPartition>> Admin::partitions_of(const std::string& topic) {
  if (auto st = impl_->network().refresh_metadata({topic}); !st) return std::move(st).error();
  const auto metadata = impl_->network().metadata().snapshot();
  const internal::TopicInfo* info = metadata->topic(topic);
  if (info == nullptr) return make_error(protocol::errc::unknown_topic_or_partition, "topic '" + topic + "'");
  if (info->error != protocol::errc::none) {
    return internal::error_from_wire(static_cast<int32_t>(info->error), info->error_message,
                                     "topic '" + topic + "'", topic);
  }
  std::vector<TopicPartition> partitions;
  for (const auto& p : info->partitions) partitions.push_back(TopicPartition{topic, p.partition});
  return partitions;
}

}  // namespace millrace::client
