#include "millrace/broker/partition_reassignment.h"

#include <algorithm>
#include <set>

#include "millrace/protocol/errc.h"

namespace millrace::broker {

using protocol::errc;
using replication::Configuration;

namespace {

bool in(const std::vector<int32_t>& ids, NodeId node) {
  return std::find(ids.begin(), ids.end(), node.value) != ids.end();
}

std::string list(const std::vector<int32_t>& ids) {
  std::string out;
  for (int32_t id : ids) out += (out.empty() ? "" : ",") + std::to_string(id);
  return out;
}

}  // namespace

ReassignmentStep next_reassignment_step(const Configuration& configuration,
                                        const std::vector<int32_t>& target, NodeId self) {
  using Kind = ReassignmentStep::Kind;
  for (NodeId learner : configuration.learners) {
    if (!in(target, learner)) return {Kind::remove_node, learner};
  }
  std::vector<int32_t> sorted = target;
  std::sort(sorted.begin(), sorted.end());
  for (int32_t node : sorted) {
    if (!configuration.contains(NodeId{node})) return {Kind::add_learner, NodeId{node}};
  }
  for (NodeId learner : configuration.learners) return {Kind::promote_learner, learner};
  for (NodeId voter : configuration.voters) {
    if (voter != self && !in(target, voter)) return {Kind::remove_node, voter};
  }
  if (configuration.is_voter(self) && !in(target, self)) {
    // Every target node is a voter by now: the preferred one that is, else the lowest.
    for (int32_t node : target) {
      if (configuration.is_voter(NodeId{node})) return {Kind::transfer_leadership, NodeId{node}};
    }
  }
  return {Kind::done, NodeId{-1}};
}

bool reached_target(const Configuration& configuration, const std::vector<int32_t>& target) {
  if (!configuration.learners.empty() || configuration.voters.size() != target.size()) return false;
  return std::all_of(target.begin(), target.end(),
                     [&](int32_t node) { return configuration.is_voter(NodeId{node}); });
}

Status validate_reassignment(const std::string& partition_name, const std::vector<int32_t>& replicas,
                             const std::vector<int32_t>& brokers, bool in_progress) {
  if (replicas.empty()) {
    return make_error(errc::invalid_replica_assignment, partition_name + ": the replica list is empty");
  }
  std::set<int32_t> seen;
  for (int32_t r : replicas) {
    if (!seen.insert(r).second) {
      return make_error(errc::invalid_replica_assignment, partition_name + ": broker " + std::to_string(r) +
                                                              " is listed twice in [" + list(replicas) + "]");
    }
    if (std::find(brokers.begin(), brokers.end(), r) == brokers.end()) {
      return make_error(errc::invalid_replica_assignment,
                        partition_name + ": broker " + std::to_string(r) +
                            " is not a known broker (brokers: " + list(brokers) + ")");
    }
  }
  if (in_progress) {
    return make_error(errc::reassignment_in_progress,
                      partition_name + ": a reassignment is already in progress; wait for it to complete");
  }
  return {};
}

std::vector<int32_t> replicas_adding(const std::vector<int32_t>& current,
                                     const std::vector<int32_t>& target) {
  std::vector<int32_t> out;
  for (int32_t r : target) {
    if (std::find(current.begin(), current.end(), r) == current.end()) out.push_back(r);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<int32_t> replicas_removing(const std::vector<int32_t>& current,
                                       const std::vector<int32_t>& target) {
  return replicas_adding(target, current);
}

}  // namespace millrace::broker
