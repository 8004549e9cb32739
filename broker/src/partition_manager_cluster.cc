// PartitionManager in cluster mode: applying the controller's commands and driving the local Raft replicas.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "millrace/broker/partition_manager.h"
#include "millrace/broker/topic_name.h"
#include "millrace/protocol/errc.h"

namespace millrace::broker {

using protocol::errc;

void PartitionManager::enable_cluster(RaftTransport& transport, storage::KvStore& store) {
  transport_ = &transport;
  store_ = &store;
  load_reassignment_state();
}

std::optional<TopicRecord> PartitionManager::topic_record(std::string_view name) const {
  auto it = topics_.find(name);
  if (it == topics_.end()) return std::nullopt;
  return it->second.record;
}

Status PartitionManager::validate_new_topic(const TopicSpecInput& spec) const {
  if (Status st = validate_topic_name(spec.name); !st) return st;
  const int32_t count = spec.partitions == 0 ? config_.default_partitions : spec.partitions;
  if (count < 1 || count > kMaxPartitionsPerTopic) {
    return make_error(errc::invalid_partitions, "partition count must be from 1 to " +
                                                    std::to_string(kMaxPartitionsPerTopic) + " (got " +
                                                    std::to_string(count) + ")");
  }
  if (Status st = validate_topic_config(spec.configs); !st) return st;
  if (topics_.count(spec.name) > 0) {
    return make_error(errc::topic_already_exists, "topic '" + spec.name + "' already exists");
  }
  return {};
}

Status PartitionManager::apply_create_topic(const TopicRecord& record) {
  if (auto it = topics_.find(record.name); it != topics_.end()) {
    if (it->second.record.created_ms != record.created_ms) {
      spdlog::warn("controller: topic '{}' exists already; create ignored", record.name);
    }
    return {};  // a replay of a command already applied
  }
  for (int32_t p = 0; p < record.partitions; ++p) {
    // Leftovers of an earlier topic of the same name whose deletion was interrupted.
    std::error_code ec;
    std::filesystem::remove_all(partition_dir(record.name, p), ec);
  }
  if (Status st = registry_.put(record); !st) {
    return make_error(errc::kafka_storage_error, "cannot record topic: " + st.error().to_string());
  }
  Topic topic = open_partitions(record);
  topics_.emplace(record.name, std::move(topic));
  spdlog::info("created topic '{}' with {} partitions", record.name, record.partitions);
  return {};
}

Status PartitionManager::apply_delete_topic(const std::string& name) {
  forget_reassignments(name);
  auto it = topics_.find(name);
  if (it == topics_.end()) return {};
  for (auto& p : it->second.partitions) {
    if (p && p->replica()) p->erase_replica_state();
  }
  return delete_topic(name);
}

Status PartitionManager::apply_topic_config(const std::string& name, const TopicConfigOverrides& configs) {
  auto it = topics_.find(name);
  if (it == topics_.end()) return {};
  TopicRecord updated = it->second.record;
  updated.configs = configs;
  if (Status st = registry_.put(updated); !st) {
    return make_error(errc::kafka_storage_error, "cannot record topic config: " + st.error().to_string());
  }
  const EffectiveTopicConfig effective = resolve_topic_config(updated.configs, config_);
  for (auto& p : it->second.partitions) {
    if (p) p->set_config(effective, log_config(effective));
  }
  it->second.record = std::move(updated);
  return {};
}

Status PartitionManager::apply_add_partitions(const std::string& name,
                                              const std::vector<std::vector<int32_t>>& added) {
  auto it = topics_.find(name);
  if (it == topics_.end()) return {};
  Topic& topic = it->second;
  TopicRecord updated = topic.record;
  for (const auto& replicas : added) updated.assignments.push_back(replicas);
  updated.partitions = static_cast<int32_t>(updated.assignments.size());
  if (updated.partitions <= topic.record.partitions) return {};  // replayed
  if (Status st = registry_.put(updated); !st) {
    return make_error(errc::kafka_storage_error, "cannot record partitions: " + st.error().to_string());
  }
  const EffectiveTopicConfig effective = resolve_topic_config(updated.configs, config_);
  for (int32_t p = topic.record.partitions; p < updated.partitions; ++p) {
    topic.partitions.push_back(open_partition(updated, p, effective, topic));
  }
  topic.record = std::move(updated);
  return {};
}

Status PartitionManager::add_partitions(std::string_view name, int32_t total) {
  auto it = topics_.find(name);
  if (it == topics_.end()) {
    return make_error(errc::unknown_topic_or_partition, "topic '" + std::string(name) + "' does not exist");
  }
  Topic& topic = it->second;
  if (total <= topic.record.partitions || total > kMaxPartitionsPerTopic) {
    return make_error(errc::invalid_partitions,
                      "topic '" + std::string(name) + "' has " + std::to_string(topic.record.partitions) +
                          " partitions; the new count must be larger (and at most " +
                          std::to_string(kMaxPartitionsPerTopic) + ")");
  }
  TopicRecord updated = topic.record;
  updated.partitions = total;
  if (Status st = registry_.put(updated); !st) {
    return make_error(errc::kafka_storage_error, "cannot record partitions: " + st.error().to_string());
  }
  const EffectiveTopicConfig effective = resolve_topic_config(updated.configs, config_);
  for (int32_t p = topic.record.partitions; p < total; ++p) {
    topic.partitions.push_back(open_partition(updated, p, effective, topic));
  }
  topic.record = std::move(updated);
  spdlog::info("topic '{}' now has {} partitions", name, total);
  return {};
}

Status PartitionManager::transfer_leadership(std::string_view topic, int32_t partition, NodeId target) {
  auto p = this->partition(topic, partition);
  if (!p) return std::move(p).error();
  const RaftReplica* replica = (*p)->replica();
  if (replica == nullptr) {
    return make_error(errc::invalid_request, "partition " + std::string(topic) + "-" +
                                                 std::to_string(partition) +
                                                 " is not replicated (a one-node broker)");
  }
  if (!replica->node().is_leader()) {
    return make_error(errc::not_leader_or_follower, "node " + std::to_string(config_.node_id) +
                                                        " does not lead " + replica->group().to_string());
  }
  if (!replica->node().configuration().is_voter(target)) {
    return make_error(errc::invalid_request, "node " + std::to_string(target.value) +
                                                 " is not a replica of " + replica->group().to_string());
  }
  if (target == NodeId{config_.node_id}) return {};  // already the leader
  Status st = (*p)->transfer_leadership(target);
  if (!st) return make_error(errc::not_leader_or_follower, "transfer refused: " + st.error().message);
  return {};
}

std::vector<LeaderHint> PartitionManager::leader_hints() const {
  std::vector<LeaderHint> hints;
  for (const auto& [name, topic] : topics_) {
    for (size_t i = 0; i < topic.partitions.size(); ++i) {
      const auto& p = topic.partitions[i];
      if (!p || !p->replica() || !p->replica()->node().is_leader()) continue;
      const auto& node = p->replica()->node();
      std::optional<replication::Configuration> configuration;
      if (node.configuration_committed()) configuration = node.configuration();
      hints.push_back({RaftGroupId{name, static_cast<int32_t>(i)}, node.term().value, NodeId{config_.node_id},
                       std::move(configuration)});
    }
  }
  return hints;
}

void PartitionManager::rebalance_leaders() {
  std::map<RaftGroupId, int> still_led;
  for (auto& [name, topic] : topics_) {
    for (size_t i = 0; i < topic.partitions.size(); ++i) {
      auto& p = topic.partitions[i];
      if (!p || !p->replica() || !p->replica()->node().is_leader() || i >= topic.record.assignments.size() ||
          topic.record.assignments[i].empty()) {
        continue;
      }
      const RaftGroupId group{name, static_cast<int32_t>(i)};
      if (reassignments_.count(group) > 0) continue;  // the reassignment decides who leads
      const NodeId preferred{topic.record.assignments[i].front()};
      if (preferred == NodeId{config_.node_id}) continue;
      auto found = led_checks_.find(group);
      const int checks = (found == led_checks_.end() ? 0 : found->second) + 1;
      still_led[group] = checks;
      if (checks < kPreferredLeaderHoldChecks) continue;
      const auto isr = p->replica()->in_sync_replicas();
      if (std::find(isr.begin(), isr.end(), preferred) == isr.end()) continue;
      if (Status st = p->transfer_leadership(preferred); st) {
        spdlog::info("{}: handing leadership to its preferred replica, node {}", group.to_string(),
                     preferred.value);
        still_led.erase(group);
      }
    }
  }
  led_checks_ = std::move(still_led);
}

void PartitionManager::note_leader_hint(const LeaderHint& hint) {
  auto [it, inserted] = hinted_leaders_.try_emplace(hint.group, hint.term, hint.leader);
  if (!inserted && it->second.first <= hint.term) it->second = {hint.term, hint.leader};
  if (hint.configuration && it->second.first == hint.term)
    hinted_configurations_[hint.group] = *hint.configuration;
}

void PartitionManager::step(const RaftGroupId& group, const replication::Message& message) {
  auto it = topics_.find(group.topic);
  if (it == topics_.end()) return;
  const auto& partitions = it->second.partitions;
  if (group.partition < 0 || group.partition >= static_cast<int32_t>(partitions.size())) return;
  const auto& p = partitions[static_cast<size_t>(group.partition)];
  if (p && p->replica()) p->replica_step(message);
}

void PartitionManager::tick_replicas() {
  for_each_partition([](Partition& p) {
    if (p.replica()) p.replica_tick();
  });
}

}  // namespace millrace::broker
