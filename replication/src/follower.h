#pragma once
// Follower: what a node does with its leader's appends and snapshots — check that its log matches where the
// new entries begin, cut a divergent suffix, append, learn the commit index, and acknowledge twice: once
// when the entries are appended (so the leader can pipeline) and again when they are flushed (so they
// count toward commit).
//
// verified_end is how far this node's log is known to match the current leader's; it is reset whenever the
// term changes, and it bounds both the commit index a follower adopts and the durable position it reports.
// Not thread-safe.
#include "node_state.h"

namespace millrace::replication {

class Follower {
 public:
  explicit Follower(NodeState& state) : state_(state) {}

  void on_append(NodeId from, const AppendRequest& request);
  void on_snapshot(NodeId from, const SnapshotRequest& request);
  // Acknowledges newly flushed entries to the leader.
  void on_flushed();
  // A new term (or role): nothing is known to match the new leader yet.
  void reset();

 private:
  void reject(NodeId to, const AppendRequest& request, Offset hint);
  void acknowledge(NodeId to, Offset start);
  Offset durable_end() const;

  NodeState& state_;
  Offset verified_end_{0};
  Offset acknowledged_durable_end_{0};
};

}  // namespace millrace::replication
