#pragma once
// NodeState: everything one Raft node's components share — its settings, hard state, role, log view,
// configurations, commit and flush positions, election timer and outbox — and the bookkeeping that must
// happen together (a log change also updates configurations and the flushed position; a term change clears
// the vote). Elections, Leader and Follower act through it; RaftNode owns it.
// Not thread-safe (the RaftNode's).
#include <optional>
#include <vector>

#include "configuration_history.h"
#include "log_view.h"
#include "millrace/replication/hard_state.h"
#include "millrace/replication/prng.h"
#include "millrace/replication/raft_config.h"
#include "millrace/replication/ready.h"

namespace millrace::replication {

class NodeState {
 public:
  NodeState(const RaftConfig& config, const RaftLog& log, const HardState& hard_state,
            const Configuration& bootstrap);

  const RaftConfig& config() const { return config_; }
  NodeId id() const { return config_.self; }
  LogView& log() { return log_; }
  const LogView& log() const { return log_; }

  // --- Hard state: persisted (via Ready) before the messages that depend on it are sent ---
  Term term() const { return hard_state_.term; }
  std::optional<NodeId> voted_for() const { return hard_state_.voted_for; }
  void set_term(Term term);  // must rise; clears the vote
  void vote_for(NodeId candidate);

  // --- Role ---
  Role role() const { return role_; }
  std::optional<NodeId> leader() const { return leader_; }
  void set_role(Role role, std::optional<NodeId> leader);

  // --- Configuration ---
  const Configuration& configuration() const { return configurations_.active(); }
  const ConfigurationHistory& configurations() const { return configurations_; }
  bool is_voter() const { return configuration().is_voter(id()); }

  // --- Log changes (through the view, with bookkeeping) ---
  void append(Entry entry);
  void truncate_suffix(Offset end);  // never below the commit index
  void truncate_prefix(const LogStart& start);
  void reset_log(const LogStart& start);

  Offset commit_end() const { return commit_end_; }
  void advance_commit(Offset end);  // ignored unless it rises
  Offset flushed_end() const { return flushed_end_; }
  // Returns whether the flushed position rose.
  bool on_flushed(Offset end);

  // --- Election timer (followers and candidates) ---
  int election_elapsed() const { return election_elapsed_; }
  void on_election_tick() { ++election_elapsed_; }
  void heard_from_leader() { election_elapsed_ = 0; }
  bool election_timed_out() const { return election_elapsed_ >= randomized_election_timeout_; }
  void reset_election_timer();
  // A voter honours its leader's lease: it heard from a leader less than an election timeout ago.
  bool in_leader_lease() const;

  // --- Output ---
  void send(NodeId to, MessageBody body);
  bool has_ready() const;
  Ready take_ready();

 private:
  const RaftConfig config_;
  LogView log_;
  ConfigurationHistory configurations_;
  Prng prng_;
  HardState hard_state_;
  bool hard_state_dirty_ = false;
  Role role_ = Role::follower;
  std::optional<NodeId> leader_;
  std::optional<LeadershipChange> reported_leadership_;
  Offset commit_end_;
  bool commit_dirty_ = false;
  Offset flushed_end_;
  int election_elapsed_ = 0;
  int randomized_election_timeout_ = 0;
  std::vector<Message> outbox_;
};

}  // namespace millrace::replication
