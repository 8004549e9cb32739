#pragma once
// RaftNode: one member of one Raft group, as a pure state machine (design brief, decision 4). No sockets,
// files, clocks or threads: the driver feeds it inputs and carries out its outputs.
//
//   inputs   step(message), tick(), propose(batch), on_flushed(end), transfer_leadership(node),
//            propose_configuration_change(change), truncate_prefix(offset)
//   outputs  take_ready(): hard state to persist, log operations to apply, messages to send, commit index
//            advances and leadership changes (ready.h says in which order to carry them out)
//
// The log is read through the RaftLog the driver owns; the node never writes it. Entries are whole Kafka
// record batches; the node writes each proposal's base offset (its Kafka offset) and partition leader
// epoch (the term). Offsets in this API are exclusive ends: commit_end() is Kafka's high watermark.
//
// Durability: a node persists its term and vote before answering (Ready::hard_state comes first), and an
// entry counts toward commit on a node only after that node has flushed it (on_flushed).
// Thread-safety: none; one owner calls everything (a partition's strand or shard).
#include <memory>
#include <optional>

#include "millrace/protocol/bytes.h"
#include "millrace/protocol/result.h"
#include "millrace/replication/configuration.h"
#include "millrace/replication/hard_state.h"
#include "millrace/replication/message.h"
#include "millrace/replication/raft_config.h"
#include "millrace/replication/raft_log.h"
#include "millrace/replication/ready.h"

namespace millrace::replication {

class NodeState;
class Elections;
class Follower;
class Leader;
enum class ElectionOutcome : uint8_t;

// What a leader knows about one follower (for tests, metrics and the simulator).
struct FollowerProgress {
  Offset match_end;
  Offset durable_end;
  Offset next;
};

class RaftNode {
 public:
  // `log` must outlive the node and hold what survived on disk; `hard_state` is what the HardStateStore
  // loaded. `bootstrap` is the group's initial configuration, used when neither the log nor its start
  // carries one. Call RaftConfig::validate() first; an invalid config is a programming error here.
  RaftNode(const RaftConfig& config, const RaftLog& log, const HardState& hard_state,
           const Configuration& bootstrap);
  ~RaftNode();
  RaftNode(const RaftNode&) = delete;
  RaftNode& operator=(const RaftNode&) = delete;

  // A message from another member. Messages may arrive late, twice, or not at all.
  void step(const Message& message);
  // One unit of logical time.
  void tick();
  // Appends one record batch as a new entry (leader only). Returns its base offset; the entry is committed
  // once commit_end() passes it. Errors: not_leader, leadership_transfer_in_progress, invalid_batch,
  // too_many_uncommitted_bytes.
  Result<Offset> propose(Buffer batch);
  // Entries below `flushed_end` are durable in the driver's log (as of the last Ready applied). The
  // driver must not report a flush it prepared before applying a later truncation (MemoryLog and
  // SegmentedLog ignore such stale flushes themselves).
  void on_flushed(Offset flushed_end);
  // Hands leadership to `target` (leader only): catches it up, then tells it to campaign at once.
  Status transfer_leadership(NodeId target);
  // Adds, promotes or removes one member (leader only; one change at a time). Returns the entry's offset.
  Result<Offset> propose_configuration_change(const ConfigChange& change);
  // Drops entries below `new_start` (rounded down to an entry boundary), for retention or a snapshot.
  // Only committed entries may go: offset_out_of_range if new_start > commit_end().
  Status truncate_prefix(Offset new_start);
  // Campaigns now (skipping the election timeout), if this node is a voter and not the leader.
  void campaign();

  bool has_ready() const;
  Ready take_ready();

  NodeId id() const;
  Term term() const;
  std::optional<NodeId> voted_for() const;
  Role role() const;
  bool is_leader() const { return role() == Role::leader; }
  std::optional<NodeId> leader() const;
  Offset commit_end() const;
  Offset flushed_end() const;
  Offset log_start() const;
  Offset log_end() const;
  // The configuration in force (the newest in the log, committed or not).
  const Configuration& configuration() const;
  // Whether configuration() is committed (its entry is below commit_end(), or it is the initial one).
  bool configuration_committed() const;
  // Leader only: what it knows about `follower`.
  std::optional<FollowerProgress> progress(NodeId follower) const;

 private:
  bool handle_term(const Message& message);
  void dispatch(const Message& message);
  void start_campaign(bool leadership_transfer);
  void on_election_outcome(ElectionOutcome outcome);
  void become_follower(Term term, std::optional<NodeId> leader);
  void become_leader();
  void after_leader_action();

  std::unique_ptr<NodeState> state_;
  std::unique_ptr<Elections> elections_;
  std::unique_ptr<Follower> follower_;
  std::unique_ptr<Leader> leader_;
};

}  // namespace millrace::replication
