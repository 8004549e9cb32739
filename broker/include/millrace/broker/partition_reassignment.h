#pragma once
// Partition reassignment (docs/replication.md, "Reassignment"): the pure decisions, with no I/O, so unit
// tests can walk whole sequences.
//
//  - validate_reassignment: what the controller leader checks before it records a target replica set.
//  - next_reassignment_step: what a partition's Raft leader does next to move its group's configuration
//    toward the target, one server at a time: remove learners that are not wanted, add each new replica as a
//    learner, promote caught-up learners, remove voters that leave (others first), and, if the leader itself
//    leaves, hand leadership to a voter that stays so the successor removes it. The configuration lives in
//    the Raft log, so a new leader that calls this after a failover continues from wherever the old one
//    stopped.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "millrace/protocol/result.h"
#include "millrace/protocol/strong_types.h"
#include "millrace/replication/configuration.h"

namespace millrace::broker {

struct ReassignmentStep {
  enum class Kind : uint8_t {
    add_learner,
    promote_learner,
    remove_node,
    transfer_leadership,  // the leader leaves: hand over first
    done,                 // the configuration equals the target
  };
  Kind kind = Kind::done;
  NodeId node{-1};
  bool operator==(const ReassignmentStep&) const = default;
};

// The next change for a leader `self` whose group has `configuration`, toward the replica set `target`.
ReassignmentStep next_reassignment_step(const replication::Configuration& configuration,
                                        const std::vector<int32_t>& target, NodeId self);

// Whether `configuration` is exactly the target: its voters are the target's nodes and it has no learners.
bool reached_target(const replication::Configuration& configuration, const std::vector<int32_t>& target);

// Checks a requested replica set: not empty, no duplicates, every id a known broker (`brokers`), and no
// reassignment of the partition already in progress (`in_progress`). Errors: INVALID_REPLICA_ASSIGNMENT,
// REASSIGNMENT_IN_PROGRESS.
Status validate_reassignment(const std::string& partition_name, const std::vector<int32_t>& replicas,
                             const std::vector<int32_t>& brokers, bool in_progress);

// The replicas joining (in `target`, not in `current`) and leaving (the reverse), ascending.
std::vector<int32_t> replicas_adding(const std::vector<int32_t>& current, const std::vector<int32_t>& target);
std::vector<int32_t> replicas_removing(const std::vector<int32_t>& current,
                                       const std::vector<int32_t>& target);

}  // namespace millrace::broker
