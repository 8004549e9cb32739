#pragma once
// Configuration: the members of one Raft group. Voters elect leaders and count toward commit; learners
// receive the log but do not vote (a new replica catches up as a learner before it is promoted).
//
// Membership changes are single-server changes (docs/replication.md explains why): each ConfigChange adds,
// promotes or removes exactly one node, and a configuration takes effect on a node as soon as its entry is in
// that node's log (committed or not).
#include <cstddef>
#include <string>
#include <vector>

#include "millrace/protocol/bytes.h"
#include "millrace/protocol/result.h"
#include "millrace/protocol/strong_types.h"

namespace millrace::replication {

enum class ConfigChangeKind : int8_t {
  add_learner = 1,      // a new replica joins as a learner
  promote_learner = 2,  // a caught-up learner becomes a voter
  remove_node = 3,      // a voter or learner leaves
};

struct ConfigChange {
  ConfigChangeKind kind;
  NodeId node;
};

// Most members one configuration may have (bounds decoding).
constexpr size_t kMaxMembers = 1024;

struct Configuration {
  std::vector<NodeId> voters;    // ascending, unique
  std::vector<NodeId> learners;  // ascending, unique, disjoint from voters

  static Configuration of_voters(std::vector<NodeId> voters);

  bool is_voter(NodeId node) const;
  bool is_learner(NodeId node) const;
  bool contains(NodeId node) const { return is_voter(node) || is_learner(node); }
  // Votes (or durable copies) needed for a decision: a strict majority of the voters.
  size_t quorum() const { return voters.size() / 2 + 1; }
  // Voters and learners, ascending.
  std::vector<NodeId> members() const;

  // The configuration after `change`; invalid_configuration_change if it does not apply.
  Result<Configuration> apply(const ConfigChange& change) const;

  // Encoding used as the value of a configuration control record: int16 version (0), int32 voter count,
  // int32 ids, int32 learner count, int32 ids. Big-endian.
  Buffer encode() const;
  static Result<Configuration> decode(ByteView bytes);

  std::string to_string() const;  // "voters [0 1 2] learners [3]"
  bool operator==(const Configuration&) const = default;
};

}  // namespace millrace::replication
