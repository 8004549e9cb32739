#pragma once
// Leader: what a node does while it leads — replicate its log to every other member (pipelined, with flow
// control), count durable copies to advance the commit index, heartbeat, check that it still has a quorum,
// take proposals and configuration changes, and hand leadership over on request.
//
// An entry counts toward commit on a node only once that node has flushed it: the leader's own flushed
// position and each follower's durable_end. Only entries of the leader's own term are committed by
// counting; earlier ones commit with them (the term-start no-op makes that happen promptly).
// Not thread-safe.
#include <deque>
#include <map>
#include <optional>

#include "millrace/protocol/bytes.h"
#include "millrace/replication/configuration.h"
#include "node_state.h"
#include "progress.h"

namespace millrace::replication {

class Leader {
 public:
  // Becomes leader of the state's current term: appends the term-start no-op and starts replicating.
  explicit Leader(NodeState& state);

  // Heartbeats, stalled-follower recovery, quorum checks and the transfer timeout.
  void tick();
  Result<Offset> propose(Buffer batch);
  Result<Offset> propose_configuration_change(const ConfigChange& change);
  Status transfer_leadership(NodeId target);
  void on_append_response(NodeId from, const AppendResponse& response);
  void on_snapshot_response(NodeId from, const SnapshotResponse& response);
  void on_flushed();

  // True once the leader lost its quorum (check-quorum) or committed its own removal.
  bool must_step_down() const { return must_step_down_; }
  std::optional<NodeId> transfer_target() const { return transfer_target_; }
  const Progress* progress(NodeId node) const;

 private:
  void append_own(Buffer batch);
  void replicate(NodeId to, Progress& progress);
  void replicate_to_all();
  // Returns false if the log could not be read (an I/O error: the next heartbeat retries).
  bool send_append(NodeId to, Progress& progress, bool heartbeat);
  void send_snapshot(NodeId to, Progress& progress);
  void heartbeat_all();
  void maybe_commit();
  void check_quorum();
  void maybe_send_timeout_now();
  void sync_progress_with_configuration();
  void abort_transfer();

  NodeState& state_;
  std::map<NodeId, Progress> progress_;                // every member but this node
  Offset term_start_;                                  // offset of this term's no-op
  std::deque<std::pair<Offset, size_t>> uncommitted_;  // end offset and bytes of this term's proposals
  size_t uncommitted_bytes_ = 0;
  int heartbeat_elapsed_ = 0;
  int quorum_check_elapsed_ = 0;
  std::optional<NodeId> transfer_target_;
  int transfer_elapsed_ = 0;
  bool must_step_down_ = false;
};

}  // namespace millrace::replication
