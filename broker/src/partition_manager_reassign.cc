// PartitionManager's part of partition reassignment (docs/replication.md, "Reassignment"): the targets the
// controller recorded, opening new replicas and deleting old ones, driving the membership changes on the
// partitions this node leads, and keeping replicas whose data this node lost out of their groups.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <sstream>

#include "millrace/broker/kv_hard_state_store.h"
#include "millrace/broker/partition_manager.h"
#include "millrace/broker/partition_reassignment.h"
#include "millrace/protocol/errc.h"

namespace millrace::broker {

using protocol::errc;

namespace {

constexpr std::string_view kReassignKeyPrefix = "reassign/";
constexpr std::string_view kDataDirCreatedKey = "node/data_dir_created_ms";

std::string reassign_key(const RaftGroupId& group) {
  return std::string(kReassignKeyPrefix) + group.topic + "/" + std::to_string(group.partition);
}

std::string encode_ids(const std::vector<int32_t>& ids) {
  std::string out;
  for (int32_t id : ids) out += (out.empty() ? "" : ",") + std::to_string(id);
  return out;
}

std::vector<int32_t> decode_ids(const std::string& value) {
  std::vector<int32_t> out;
  std::stringstream in(value);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(std::stoi(item));
  }
  return out;
}

// The stored value: the target's ids, then '@' and the command's created_ms.
std::string encode_target(const std::vector<int32_t>& ids, int64_t created_ms) {
  return encode_ids(ids) + "@" + std::to_string(created_ms);
}

int64_t wall_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

void PartitionManager::load_reassignment_state() {
  auto entries = store_->scan_prefix(kReassignKeyPrefix);
  if (!entries) {
    spdlog::error("cannot load partition reassignments: {}", entries.error().to_string());
  } else {
    for (const auto& [key, value] : *entries) {
      const std::string rest = key.substr(kReassignKeyPrefix.size());
      const auto slash = rest.rfind('/');
      if (slash == std::string::npos) continue;
      const RaftGroupId group{rest.substr(0, slash), std::stoi(rest.substr(slash + 1))};
      const auto at = value.find('@');
      reassignments_[group] = decode_ids(value.substr(0, at));
      reassignment_created_ms_[group] = at == std::string::npos ? 0 : std::stoll(value.substr(at + 1));
    }
  }
  // When this data directory was born. One that already holds metadata predates this record: 0, older than
  // every topic. A new one (a new node, or a node whose disk was wiped) gets the time now.
  auto created = store_->get(kDataDirCreatedKey);
  if (created && created->has_value()) {
    data_dir_created_ms_ = std::stoll(**created);
    return;
  }
  auto topics = store_->scan_prefix("topic/");
  auto applied = store_->get("controller/applied");
  const bool has_metadata = (topics && !topics->empty()) || (applied && applied->has_value());
  data_dir_created_ms_ = has_metadata ? 0 : wall_ms();
  if (Status st = store_->put(kDataDirCreatedKey, std::to_string(data_dir_created_ms_)); !st) {
    spdlog::error("cannot record the data directory's creation: {}", st.error().to_string());
  }
}

bool PartitionManager::joining(const std::string& topic, int32_t partition) const {
  auto it = reassignments_.find(RaftGroupId{topic, partition});
  return it != reassignments_.end() &&
         std::find(it->second.begin(), it->second.end(), config_.node_id) != it->second.end();
}

bool PartitionManager::must_rejoin(const RaftGroupId& group, int64_t since_ms) const {
  if (store_ == nullptr || since_ms >= data_dir_created_ms_) return false;
  // A replica that ever took part here has a Raft hard state (a term at least).
  auto state = KvHardStateStore(*store_, group).load();
  return state && state->term.value == 0 && !state->voted_for;
}

void PartitionManager::forget_reassignments(const std::string& topic) {
  for (auto it = reassignments_.begin(); it != reassignments_.end();) {
    if (it->first.topic == topic) {
      (void)store_->erase(reassign_key(it->first));
      reassignment_created_ms_.erase(it->first);
      it = reassignments_.erase(it);
    } else {
      ++it;
    }
  }
}

Status PartitionManager::apply_reassign_partition(const std::string& topic, int32_t partition,
                                                  const std::vector<int32_t>& target, int64_t created_ms) {
  auto it = topics_.find(topic);
  if (it == topics_.end() || partition < 0 || partition >= it->second.record.partitions) return {};
  const RaftGroupId group{topic, partition};
  if (Status st = store_->put(reassign_key(group), encode_target(target, created_ms)); !st) {
    return make_error(errc::kafka_storage_error, "cannot record the reassignment: " + st.error().to_string());
  }
  reassignments_[group] = target;
  reassignment_created_ms_[group] = created_ms;
  spdlog::info("{}: reassigning to [{}]", group.to_string(), encode_ids(target));
  Topic& t = it->second;
  auto& slot = t.partitions.at(static_cast<size_t>(partition));
  if (slot || !joining(topic, partition)) return {};
  const auto& assigned = t.record.assignments.at(static_cast<size_t>(partition));
  if (std::find(assigned.begin(), assigned.end(), config_.node_id) != assigned.end()) {
    // Still a voter of the group: a replica that lost its data must leave it first (a reassignment without
    // this node) and then join again as a learner; one offline for another reason stays offline.
    return {};
  }
  if (must_rejoin(group, created_ms)) {
    // Replaying a reassignment older than this data directory: this node may have joined then, voted and
    // acknowledged, and lost it all since. It stays out until a newer reassignment adds it.
    t.failures[partition] =
        make_error(errc::kafka_storage_error,
                   "partition " + group.to_string() + ": node " + std::to_string(config_.node_id) +
                       " has lost its copy (its data directory is newer than the "
                       "reassignment that added it); reassign it (docs/operations.md)");
    return {};
  }
  // A new member: whatever an earlier replica left here is stale.
  std::error_code ec;
  std::filesystem::remove_all(partition_dir(topic, partition), ec);
  (void)KvHardStateStore(*store_, group).erase();
  (void)store_->erase("raftstart/" + group.to_string());
  // Open it as a member that is not yet in the group's configuration: it never campaigns, and takes part
  // once the leader adds it as a learner.
  TopicRecord record = t.record;
  auto& replicas = record.assignments.at(static_cast<size_t>(partition));
  replicas.erase(std::remove(replicas.begin(), replicas.end(), config_.node_id), replicas.end());
  t.failures.erase(partition);
  const EffectiveTopicConfig effective = resolve_topic_config(record.configs, config_);
  slot = open_partition(record, partition, effective, t);
  if (slot) spdlog::info("{}: opened a new replica here (joining through reassignment)", group.to_string());
  return {};
}

Status PartitionManager::apply_complete_reassignment(const std::string& topic, int32_t partition,
                                                     const std::vector<int32_t>& replicas) {
  auto it = topics_.find(topic);
  if (it == topics_.end() || partition < 0 || partition >= it->second.record.partitions) return {};
  const RaftGroupId group{topic, partition};
  Topic& t = it->second;
  auto target = reassignments_.find(group);
  if (target != reassignments_.end()) {
    std::vector<int32_t> a = target->second;
    std::vector<int32_t> b = replicas;
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    if (a != b) return {};  // a stale completion of an earlier target
  }
  TopicRecord updated = t.record;
  updated.assignments.at(static_cast<size_t>(partition)) = replicas;
  if (Status st = registry_.put(updated); !st) {
    return make_error(errc::kafka_storage_error, "cannot record the assignment: " + st.error().to_string());
  }
  t.record = std::move(updated);
  if (target != reassignments_.end()) {
    (void)store_->erase(reassign_key(group));
    reassignments_.erase(target);
    reassignment_created_ms_.erase(group);
  }
  handed_over_.erase(group);
  spdlog::info("{}: reassignment complete, replicas [{}]", group.to_string(), encode_ids(replicas));
  if (std::find(replicas.begin(), replicas.end(), config_.node_id) != replicas.end()) return {};
  auto& slot = t.partitions.at(static_cast<size_t>(partition));
  if (slot) {
    if (slot->replica()) slot->erase_replica_state();
    slot->abandon(make_error(errc::not_leader_or_follower, group.to_string() + " has no replica on node " +
                                                               std::to_string(config_.node_id)));
    slot.reset();
  } else {
    (void)KvHardStateStore(*store_, group).erase();
  }
  t.failures[partition] =
      make_error(errc::not_leader_or_follower, "partition " + group.to_string() + " has no replica on node " +
                                                   std::to_string(config_.node_id));
  std::error_code ec;
  std::filesystem::remove_all(partition_dir(topic, partition), ec);
  if (ec) spdlog::warn("could not remove {}: {}", partition_dir(topic, partition).string(), ec.message());
  spdlog::info("{}: this node left the replica set; its copy is deleted", group.to_string());
  return {};
}

std::optional<replication::Configuration> PartitionManager::committed_configuration(
    const RaftGroupId& group) const {
  if (auto p = partition(group.topic, group.partition); p && (*p)->replica()) {
    const auto& node = (*p)->replica()->node();
    if (node.is_leader()) {
      if (!node.configuration_committed()) return std::nullopt;
      return node.configuration();
    }
  }
  auto it = hinted_configurations_.find(group);
  if (it == hinted_configurations_.end()) return std::nullopt;
  return it->second;
}

void PartitionManager::drive_reassignments() {
  using Kind = ReassignmentStep::Kind;
  for (const auto& [group, target] : reassignments_) {
    auto p = partition(group.topic, group.partition);
    if (!p || !(*p)->replica() || !(*p)->replica()->node().is_leader()) continue;
    Partition& part = **p;
    const auto& node = part.replica()->node();
    if (!node.configuration_committed()) continue;  // one change at a time
    const ReassignmentStep step = next_reassignment_step(node.configuration(), target, node.id());
    if (step.kind == Kind::done) continue;
    if (step.kind == Kind::transfer_leadership) {
      // Once per election timeout: a transfer that did not happen by then was abandoned by the core.
      const auto now = std::chrono::steady_clock::now();
      auto last = handed_over_.find(group);
      if (last != handed_over_.end() &&
          now - last->second < std::chrono::milliseconds(2 * config_.election_timeout_ms)) {
        continue;
      }
      handed_over_[group] = now;
      if (Status st = part.transfer_leadership(step.node); st) {
        spdlog::info("{}: leaving its replica set; handing leadership to node {}", group.to_string(),
                     step.node.value);
      }
      continue;
    }
    replication::ConfigChange change{replication::ConfigChangeKind::add_learner, step.node};
    if (step.kind == Kind::promote_learner) change.kind = replication::ConfigChangeKind::promote_learner;
    if (step.kind == Kind::remove_node) change.kind = replication::ConfigChangeKind::remove_node;
    auto changed = part.change_configuration(change);
    if (changed) {
      spdlog::info("{}: reassignment step: {} node {} (configuration {})", group.to_string(),
                   step.kind == Kind::add_learner       ? "add learner"
                   : step.kind == Kind::promote_learner ? "promote"
                                                        : "remove",
                   step.node.value, node.configuration().to_string());
    }
  }
}

}  // namespace millrace::broker
