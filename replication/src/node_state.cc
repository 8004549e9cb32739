#include "node_state.h"

#include <algorithm>
#include <cassert>

#include "millrace/replication/control_batch.h"

namespace millrace::replication {

NodeState::NodeState(const RaftConfig& config, const RaftLog& log, const HardState& hard_state,
                     const Configuration& bootstrap)
    : config_(config),
      log_(log),
      configurations_(log.start().configuration.value_or(bootstrap), Offset{log.start_offset().value - 1}),
      prng_(config.random_seed),
      hard_state_(hard_state),
      commit_end_(log.start_offset()),
      flushed_end_(std::max(log.flushed_offset(), log.start_offset())) {
  for (const Entry& entry : log.configuration_entries()) {
    auto configuration = configuration_of(entry);
    assert(configuration.ok());  // the log held only what this core appended
    configurations_.append(entry.base_offset, std::move(configuration).value());
  }
  reported_leadership_ = LeadershipChange{role_, leader_, hard_state_.term};
  reset_election_timer();
}

void NodeState::set_term(Term term) {
  assert(term > hard_state_.term && term < kMaxTerm);
  hard_state_ = HardState{term, std::nullopt};
  hard_state_dirty_ = true;
}

void NodeState::vote_for(NodeId candidate) {
  assert(!hard_state_.voted_for || *hard_state_.voted_for == candidate);
  hard_state_.voted_for = candidate;
  hard_state_dirty_ = true;
}

void NodeState::set_role(Role role, std::optional<NodeId> leader) {
  role_ = role;
  leader_ = leader;
}

void NodeState::append(Entry entry) {
  if (entry.kind == EntryKind::configuration) {
    auto configuration = configuration_of(entry);
    assert(configuration.ok());
    configurations_.append(entry.base_offset, std::move(configuration).value());
  }
  log_.append(std::move(entry));
}

void NodeState::truncate_suffix(Offset end) {
  assert(end >= commit_end_);  // a committed entry is never removed
  log_.truncate_suffix(end);
  configurations_.truncate_suffix(end);
  flushed_end_ = std::min(flushed_end_, end);
}

void NodeState::truncate_prefix(const LogStart& start) {
  assert(start.offset <= commit_end_);
  log_.truncate_prefix(start);
  configurations_.truncate_prefix(start.offset);
  flushed_end_ = std::max(flushed_end_, start.offset);
}

void NodeState::reset_log(const LogStart& start) {
  assert(start.configuration.has_value());
  log_.reset(start);
  configurations_.reset(*start.configuration, Offset{start.offset.value - 1});
  flushed_end_ = start.offset;
  commit_end_ = std::max(commit_end_, start.offset);
  commit_dirty_ = true;
}

void NodeState::advance_commit(Offset end) {
  if (end <= commit_end_) return;
  assert(end <= log_.end_offset());
  commit_end_ = end;
  commit_dirty_ = true;
}

bool NodeState::on_flushed(Offset end) {
  // Pending appends are not in the driver's log yet, so they cannot be flushed.
  const Offset flushable = std::min(end, log_.stable_end());
  if (flushable <= flushed_end_) return false;
  flushed_end_ = flushable;
  return true;
}

void NodeState::reset_election_timer() {
  election_elapsed_ = 0;
  randomized_election_timeout_ = static_cast<int>(
      prng_.uniform(config_.election_timeout_ticks, 2 * int64_t{config_.election_timeout_ticks} - 1));
}

bool NodeState::in_leader_lease() const {
  return config_.check_quorum && leader_.has_value() && election_elapsed_ < config_.election_timeout_ticks;
}

void NodeState::send(NodeId to, MessageBody body) {
  outbox_.push_back(Message{id(), to, std::move(body)});
}

bool NodeState::has_ready() const {
  const LeadershipChange now{role_, leader_, hard_state_.term};
  const bool leadership_changed = reported_leadership_->role != now.role ||
                                  reported_leadership_->leader != now.leader ||
                                  reported_leadership_->term != now.term;
  return hard_state_dirty_ || log_.has_ops() || !outbox_.empty() || commit_dirty_ || leadership_changed;
}

Ready NodeState::take_ready() {
  Ready ready;
  if (hard_state_dirty_) ready.hard_state = hard_state_;
  hard_state_dirty_ = false;
  ready.log_ops = log_.take_ops();
  ready.messages = std::exchange(outbox_, {});
  if (commit_dirty_) ready.commit_end = commit_end_;
  commit_dirty_ = false;
  const LeadershipChange now{role_, leader_, hard_state_.term};
  if (reported_leadership_->role != now.role || reported_leadership_->leader != now.leader ||
      reported_leadership_->term != now.term) {
    ready.leadership = now;
    reported_leadership_ = now;
  }
  return ready;
}

}  // namespace millrace::replication
