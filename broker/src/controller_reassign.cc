// Controller: partition reassignment (docs/replication.md, "Reassignment"). The controller records the
// target replica set in its log; each partition's Raft leader moves its group there
// (PartitionManager::drive_reassignments); the controller leader sees the group's committed configuration
// reach the target (its own replica or the leader's hints) and records the completion, which updates the
// assignment on every node.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "cluster.pb.h"
#include "millrace/broker/controller.h"
#include "millrace/broker/partition_reassignment.h"
#include "millrace/protocol/errc.h"

namespace millrace::broker {

using protocol::errc;

void Controller::reassign_partition(const std::string& topic, int32_t partition,
                                    const std::vector<int32_t>& replicas, Done done) {
  if (Status st = check_leader(); !st) return done(std::move(st));
  auto record = manager_.topic_record(topic);
  if (!record || partition < 0 || partition >= record->partitions) {
    return done(make_error(errc::unknown_topic_or_partition,
                           "topic '" + topic + "' has no partition " + std::to_string(partition)));
  }
  const std::string name = topic + "-" + std::to_string(partition);
  // Any broker the cluster knows: the initial voters and every registered broker (fenced ones too, as in
  // Kafka: a reassignment may name a broker that is down for now).
  std::vector<int32_t> brokers;
  for (const auto& p : config_.peers) brokers.push_back(p.node_id);
  for (const auto& [id, broker] : brokers_.all()) {
    if (std::find(brokers.begin(), brokers.end(), id) == brokers.end()) brokers.push_back(id);
  }
  const RaftGroupId group{topic, partition};
  const bool in_progress = manager_.reassignments().count(group) > 0 || in_flight_.count(group) > 0;
  if (Status st = validate_reassignment(name, replicas, brokers, in_progress); !st)
    return done(std::move(st));
  const auto& current = record->assignments.at(static_cast<size_t>(partition));
  wire::ControllerCommand command;
  if (replicas_adding(current, replicas).empty() && replicas_removing(current, replicas).empty()) {
    // The same replicas (perhaps in another order: a new preferred leader): nothing to move.
    auto* c = command.mutable_complete_reassignment();
    c->set_topic(topic);
    c->set_partition(partition);
    for (int32_t r : replicas) c->add_replicas(r);
  } else {
    auto* c = command.mutable_reassign_partition();
    c->set_topic(topic);
    c->set_partition(partition);
    for (int32_t r : replicas) c->add_target(r);
    c->set_created_ms(std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count());
  }
  // A second request before this one is applied is refused as in progress.
  in_flight_.insert(group);
  propose(command, [this, group, done = std::move(done)](Status st) {
    in_flight_.erase(group);
    done(std::move(st));
  });
}

void Controller::complete_reassignments() {
  if (!is_leader()) {
    in_flight_.clear();
    return;
  }
  const auto reassignments = manager_.reassignments();  // proposing may apply a completion at once
  for (const auto& [group, target] : reassignments) {
    if (in_flight_.count(group) > 0) continue;
    const auto configuration = manager_.committed_configuration(group);
    if (!configuration || !reached_target(*configuration, target)) continue;
    wire::ControllerCommand command;
    auto* c = command.mutable_complete_reassignment();
    c->set_topic(group.topic);
    c->set_partition(group.partition);
    for (int32_t r : target) c->add_replicas(r);
    in_flight_.insert(group);
    spdlog::info("controller: {} reached its target configuration {}", group.to_string(),
                 configuration->to_string());
    propose(command, [this, group = group](Status st) {
      if (!st) {
        in_flight_.erase(group);  // proposed again on a later tick (or by the next controller leader)
        spdlog::warn("controller: completing the reassignment of {} failed: {}", group.to_string(),
                     st.error().to_string());
      }
    });
  }
}

}  // namespace millrace::broker
