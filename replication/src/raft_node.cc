#include "millrace/replication/raft_node.h"

#include <cassert>

#include "elections.h"
#include "follower.h"
#include "leader.h"
#include "millrace/replication/errc.h"
#include "node_state.h"

namespace millrace::replication {

RaftNode::RaftNode(const RaftConfig& config, const RaftLog& log, const HardState& hard_state,
                   const Configuration& bootstrap)
    : state_(std::make_unique<NodeState>(config, log, hard_state, bootstrap)),
      elections_(std::make_unique<Elections>(*state_)),
      follower_(std::make_unique<Follower>(*state_)) {
  assert(config.validate().ok());
}

RaftNode::~RaftNode() = default;

void RaftNode::tick() {
  if (leader_) {
    leader_->tick();
    after_leader_action();
    return;
  }
  state_->on_election_tick();
  if (!state_->election_timed_out()) return;
  if (state_->is_voter()) {
    start_campaign(false);
  } else {
    state_->reset_election_timer();  // learners and removed nodes never campaign
  }
}

void RaftNode::campaign() {
  if (!leader_ && state_->is_voter()) start_campaign(false);
}

void RaftNode::start_campaign(bool leadership_transfer) {
  if (leader_ || !state_->is_voter()) return;
  follower_->reset();
  if (state_->config().pre_vote && !leadership_transfer) {
    state_->set_role(Role::pre_candidate, std::nullopt);
  } else {
    state_->set_term(Term{state_->term().value + 1});
    state_->vote_for(state_->id());
    state_->set_role(Role::candidate, std::nullopt);
  }
  state_->reset_election_timer();
  on_election_outcome(elections_->campaign(leadership_transfer));
}

void RaftNode::on_election_outcome(ElectionOutcome outcome) {
  if (outcome == ElectionOutcome::lost) {
    become_follower(state_->term(), std::nullopt);
  } else if (outcome == ElectionOutcome::won) {
    if (state_->role() == Role::pre_candidate) {
      // The pre-vote says we can win: now raise the term and ask for real votes.
      state_->set_term(Term{state_->term().value + 1});
      state_->vote_for(state_->id());
      state_->set_role(Role::candidate, std::nullopt);
      on_election_outcome(elections_->campaign(false));
    } else {
      become_leader();
    }
  }
}

void RaftNode::become_follower(Term term, std::optional<NodeId> leader) {
  if (term > state_->term()) state_->set_term(term);
  follower_->reset();
  leader_.reset();
  state_->set_role(Role::follower, leader);
  state_->reset_election_timer();
}

void RaftNode::become_leader() {
  assert(state_->role() == Role::candidate);
  state_->set_role(Role::leader, state_->id());
  leader_ = std::make_unique<Leader>(*state_);
  after_leader_action();
}

void RaftNode::after_leader_action() {
  if (leader_ && leader_->must_step_down()) become_follower(state_->term(), std::nullopt);
}

void RaftNode::step(const Message& message) {
  assert(message.to == state_->id());
  if (message.from == state_->id()) return;
  if (handle_term(message)) dispatch(message);
}

// Applies Raft's term rules. Returns whether the message should be processed further.
bool RaftNode::handle_term(const Message& message) {
  const Term term = message.term();
  if (term > state_->term()) {
    if (const auto* request = std::get_if<VoteRequest>(&message.body)) {
      // A voter that heard from its leader recently ignores campaigns: a partitioned or removed node that
      // comes back cannot depose a healthy leader (unless the leader itself asked for it).
      if (!request->leadership_transfer && state_->in_leader_lease()) return false;
      if (request->pre_vote) return true;
      become_follower(term, std::nullopt);
      return true;
    }
    if (const auto* response = std::get_if<VoteResponse>(&message.body)) {
      if (response->pre_vote && response->granted) return true;
    }
    const bool from_leader = std::holds_alternative<AppendRequest>(message.body) ||
                             std::holds_alternative<SnapshotRequest>(message.body) ||
                             std::holds_alternative<TimeoutNow>(message.body);
    become_follower(term, from_leader ? std::optional<NodeId>(message.from) : std::nullopt);
    return true;
  }
  if (term < state_->term()) {
    // Tell a stale leader or candidate about the newer term, so it steps down.
    if (const auto* request = std::get_if<AppendRequest>(&message.body)) {
      state_->send(message.from,
                   AppendResponse{state_->term(), request->start, false, Offset{0}, Offset{0}, Offset{0}});
    } else if (const auto* vote = std::get_if<VoteRequest>(&message.body)) {
      state_->send(message.from, VoteResponse{state_->term(), vote->pre_vote, false});
    }
    return false;
  }
  return true;
}

void RaftNode::dispatch(const Message& message) {
  std::visit(
      [&](const auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, VoteRequest>) {
          elections_->on_vote_request(message.from, body);
        } else if constexpr (std::is_same_v<T, VoteResponse>) {
          on_election_outcome(elections_->on_vote_response(message.from, body));
        } else if constexpr (std::is_same_v<T, AppendRequest> || std::is_same_v<T, SnapshotRequest>) {
          assert(!leader_);  // one leader per term
          if (state_->role() != Role::follower || state_->leader() != message.from) {
            become_follower(state_->term(), message.from);
          }
          state_->heard_from_leader();
          if constexpr (std::is_same_v<T, AppendRequest>) follower_->on_append(message.from, body);
          if constexpr (std::is_same_v<T, SnapshotRequest>) follower_->on_snapshot(message.from, body);
        } else if constexpr (std::is_same_v<T, AppendResponse>) {
          if (leader_) leader_->on_append_response(message.from, body);
          after_leader_action();
        } else if constexpr (std::is_same_v<T, SnapshotResponse>) {
          if (leader_) leader_->on_snapshot_response(message.from, body);
        } else if constexpr (std::is_same_v<T, TimeoutNow>) {
          start_campaign(true);
        }
      },
      message.body);
}

Result<Offset> RaftNode::propose(Buffer batch) {
  if (!leader_) return make_error(errc::not_leader, "proposal refused");
  return leader_->propose(std::move(batch));
}

void RaftNode::on_flushed(Offset flushed_end) {
  if (!state_->on_flushed(flushed_end)) return;
  if (leader_) {
    leader_->on_flushed();
    after_leader_action();
  } else {
    follower_->on_flushed();
  }
}

Status RaftNode::transfer_leadership(NodeId target) {
  if (!leader_) return make_error(errc::not_leader, "transfer refused");
  return leader_->transfer_leadership(target);
}

Result<Offset> RaftNode::propose_configuration_change(const ConfigChange& change) {
  if (!leader_) return make_error(errc::not_leader, "configuration change refused");
  auto offset = leader_->propose_configuration_change(change);
  after_leader_action();
  return offset;
}

Status RaftNode::truncate_prefix(Offset new_start) {
  LogView& log = state_->log();
  if (new_start > state_->commit_end()) {
    return make_error(errc::offset_out_of_range, "cannot truncate uncommitted entries");
  }
  Offset boundary = new_start;
  if (boundary > log.start_offset() && boundary < log.end_offset()) {
    auto holding = log.read(boundary, 0);
    if (!holding) return std::move(holding).error();
    boundary = holding->front().base_offset;
  }
  if (boundary <= log.start_offset()) return {};
  state_->truncate_prefix(LogStart{boundary, log.term_at(Offset{boundary.value - 1}),
                                   state_->configurations().in_force_below(boundary)});
  return {};
}

bool RaftNode::has_ready() const {
  return state_->has_ready();
}

Ready RaftNode::take_ready() {
  return state_->take_ready();
}

NodeId RaftNode::id() const {
  return state_->id();
}
Term RaftNode::term() const {
  return state_->term();
}
std::optional<NodeId> RaftNode::voted_for() const {
  return state_->voted_for();
}
Role RaftNode::role() const {
  return state_->role();
}
std::optional<NodeId> RaftNode::leader() const {
  return state_->leader();
}
Offset RaftNode::commit_end() const {
  return state_->commit_end();
}
Offset RaftNode::flushed_end() const {
  return state_->flushed_end();
}
Offset RaftNode::log_start() const {
  return state_->log().start_offset();
}
Offset RaftNode::log_end() const {
  return state_->log().end_offset();
}
const Configuration& RaftNode::configuration() const {
  return state_->configuration();
}

bool RaftNode::configuration_committed() const {
  return state_->configurations().active_offset() < state_->commit_end();
}

std::optional<FollowerProgress> RaftNode::progress(NodeId follower) const {
  if (!leader_) return std::nullopt;
  const Progress* progress = leader_->progress(follower);
  if (progress == nullptr) return std::nullopt;
  return FollowerProgress{progress->match_end(), progress->durable_end(), progress->next()};
}

}  // namespace millrace::replication
