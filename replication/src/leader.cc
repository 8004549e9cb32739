#include "leader.h"

#include <algorithm>
#include <cassert>
#include <functional>

#include "millrace/protocol/record_batch.h"
#include "millrace/replication/control_batch.h"
#include "millrace/replication/errc.h"

namespace millrace::replication {

namespace bf = protocol::batch_format;

Leader::Leader(NodeState& state) : state_(state), term_start_(state.log().end_offset()) {
  assert(state_.role() == Role::leader);
  sync_progress_with_configuration();
  append_own(make_term_start_batch(state_.id()));
  replicate_to_all();
}

const Progress* Leader::progress(NodeId node) const {
  auto it = progress_.find(node);
  return it == progress_.end() ? nullptr : &it->second;
}

void Leader::sync_progress_with_configuration() {
  const Configuration& configuration = state_.configuration();
  std::erase_if(progress_, [&](const auto& p) { return !configuration.contains(p.first); });
  for (NodeId member : configuration.members()) {
    if (member == state_.id() || progress_.count(member)) continue;
    progress_.emplace(member, Progress(state_.log().end_offset(), state_.config().max_inflight_appends,
                                       state_.config().max_inflight_bytes));
  }
  if (transfer_target_ && !progress_.count(*transfer_target_)) abort_transfer();
}

void Leader::append_own(Buffer batch) {
  const Offset base = state_.log().end_offset();
  protocol::set_base_offset(batch, base.value);
  protocol::set_partition_leader_epoch(batch, state_.term().value);
  auto entry = Entry::from_batch(std::move(batch));
  assert(entry.ok());
  uncommitted_bytes_ += entry->size_bytes();
  uncommitted_.emplace_back(entry->end_offset(), entry->size_bytes());
  const bool is_configuration = entry->kind == EntryKind::configuration;
  state_.append(std::move(entry).value());
  if (is_configuration) sync_progress_with_configuration();
  maybe_commit();  // a single voter commits on its own flush; this is a no-op until then
}

Result<Offset> Leader::propose(Buffer batch) {
  if (transfer_target_) return make_error(errc::leadership_transfer_in_progress, "proposal refused");
  if (batch.size() < bf::kHeaderSize) return make_error(errc::invalid_batch, "shorter than a batch header");
  const protocol::RecordBatchHeader header = protocol::read_batch_header(batch);
  if (header.size_bytes() != static_cast<int64_t>(batch.size()) || header.magic != bf::kMagicV2 ||
      header.last_offset_delta < 0) {
    return make_error(errc::invalid_batch, "a proposal must be exactly one record batch");
  }
  if (header.is_control()) return make_error(errc::invalid_batch, "control batches are internal to Raft");
  if (batch.size() > state_.config().max_entry_bytes) {
    return make_error(errc::invalid_batch, "batch larger than max_entry_bytes");
  }
  if (uncommitted_bytes_ > 0 && uncommitted_bytes_ + batch.size() > state_.config().max_uncommitted_bytes) {
    return make_error(errc::too_many_uncommitted_bytes, "waiting for a quorum to catch up");
  }
  const Offset base = state_.log().end_offset();
  append_own(std::move(batch));
  replicate_to_all();
  return base;
}

Result<Offset> Leader::propose_configuration_change(const ConfigChange& change) {
  if (transfer_target_) return make_error(errc::leadership_transfer_in_progress, "change refused");
  if (state_.commit_end() <= term_start_) {
    return make_error(errc::configuration_change_in_progress, "the leader has not committed in its term yet");
  }
  if (state_.configurations().active_offset() >= state_.commit_end()) {
    return make_error(errc::configuration_change_in_progress, "the previous change is not committed yet");
  }
  auto next = state_.configuration().apply(change);
  if (!next) return std::move(next).error();
  if (change.kind == ConfigChangeKind::promote_learner) {
    const Progress* learner = progress(change.node);
    if (learner == nullptr || learner->durable_end() < state_.commit_end()) {
      return make_error(errc::learner_not_caught_up, "node " + std::to_string(change.node.value));
    }
  }
  const Offset base = state_.log().end_offset();
  append_own(make_configuration_batch(*next));
  replicate_to_all();
  return base;
}

Status Leader::transfer_leadership(NodeId target) {
  if (target == state_.id()) return {};
  if (!state_.configuration().is_voter(target)) {
    return make_error(errc::invalid_argument, "node " + std::to_string(target.value) + " is not a voter");
  }
  transfer_target_ = target;
  transfer_elapsed_ = 0;
  maybe_send_timeout_now();
  Progress& progress = progress_.at(target);
  if (progress.match_end() < state_.log().end_offset()) {
    progress.become_probe(progress.match_end());  // resend whatever may have been lost, now
    replicate(target, progress);
  }
  return {};
}

void Leader::abort_transfer() {
  transfer_target_.reset();
  transfer_elapsed_ = 0;
}

void Leader::maybe_send_timeout_now() {
  if (!transfer_target_) return;
  const Progress& target = progress_.at(*transfer_target_);
  if (target.match_end() == state_.log().end_offset()) {
    state_.send(*transfer_target_, TimeoutNow{state_.term()});
  }
}

void Leader::replicate_to_all() {
  for (auto& [node, progress] : progress_) replicate(node, progress);
}

void Leader::replicate(NodeId to, Progress& progress) {
  while (progress.can_send()) {
    if (progress.next() < state_.log().start_offset()) {
      send_snapshot(to, progress);
      return;
    }
    if (progress.state() == ProgressState::replicate && progress.next() >= state_.log().end_offset()) return;
    if (!send_append(to, progress, false)) return;
  }
}

bool Leader::send_append(NodeId to, Progress& progress, bool heartbeat) {
  const LogView& log = state_.log();
  Offset start = heartbeat ? std::max(progress.match_end(), log.start_offset()) : progress.next();
  start = std::min(start, log.end_offset());
  std::vector<Entry> entries;
  size_t bytes = 0;
  if (!heartbeat && start < log.end_offset()) {
    auto read = log.read(start, state_.config().max_append_bytes);
    if (!read) return false;
    entries = std::move(read).value();
    start = entries.front().base_offset;
    for (const Entry& entry : entries) bytes += entry.size_bytes();
  }
  const Offset end = entries.empty() ? start : entries.back().end_offset();
  const Term prev_term = log.term_at(Offset{start.value - 1});
  state_.send(to, AppendRequest{state_.term(), start, prev_term, state_.commit_end(), std::move(entries)});
  if (!heartbeat) progress.on_sent(start, end, bytes);
  return true;
}

void Leader::send_snapshot(NodeId to, Progress& progress) {
  const LogStart start = state_.log().start();
  const Configuration& configuration = state_.configurations().in_force_below(start.offset);
  state_.send(to, SnapshotRequest{state_.term(), start.offset, start.term_before, configuration});
  progress.become_snapshot(start.offset);
}

void Leader::on_append_response(NodeId from, const AppendResponse& response) {
  auto it = progress_.find(from);
  if (it == progress_.end()) return;
  Progress& progress = it->second;
  progress.on_answer();
  if (response.success) {
    if (progress.on_success(response.match_end, response.durable_end)) maybe_commit();
    if (transfer_target_ == from) maybe_send_timeout_now();
  } else if (!progress.is_stale_rejection(response.start)) {
    progress.on_rejection(response.hint);
  }
  if (!must_step_down_) replicate(from, progress);
}

void Leader::on_snapshot_response(NodeId from, const SnapshotResponse& response) {
  auto it = progress_.find(from);
  if (it == progress_.end()) return;
  it->second.on_answer();
  it->second.on_success(response.start, response.start);
  replicate(from, it->second);
}

void Leader::on_flushed() {
  maybe_commit();
}

void Leader::maybe_commit() {
  const Configuration& configuration = state_.configuration();
  std::vector<Offset> durable;
  for (NodeId voter : configuration.voters) {
    durable.push_back(voter == state_.id() ? state_.flushed_end() : progress_.at(voter).durable_end());
  }
  std::sort(durable.begin(), durable.end(), std::greater<>());
  const Offset candidate = durable[configuration.quorum() - 1];
  if (candidate <= state_.commit_end()) return;
  if (state_.log().term_at(Offset{candidate.value - 1}) != state_.term()) return;  // Raft §5.4.2
  state_.advance_commit(candidate);
  while (!uncommitted_.empty() && uncommitted_.front().first <= candidate) {
    uncommitted_bytes_ -= uncommitted_.front().second;
    uncommitted_.pop_front();
  }
  // A leader that is not in the committed configuration hands over by stepping down.
  if (!configuration.is_voter(state_.id()) && state_.configurations().active_offset() < candidate) {
    must_step_down_ = true;
  }
}

void Leader::tick() {
  for (auto& entry : progress_) entry.second.on_tick();
  if (++heartbeat_elapsed_ >= state_.config().heartbeat_interval_ticks) {
    heartbeat_elapsed_ = 0;
    heartbeat_all();
  }
  if (transfer_target_ && ++transfer_elapsed_ >= state_.config().election_timeout_ticks) abort_transfer();
  if (++quorum_check_elapsed_ >= state_.config().election_timeout_ticks) {
    quorum_check_elapsed_ = 0;
    if (state_.config().check_quorum) check_quorum();
  }
}

void Leader::heartbeat_all() {
  const int stall_ticks =
      std::max(2 * state_.config().heartbeat_interval_ticks, state_.config().election_timeout_ticks / 2);
  for (auto& [node, progress] : progress_) {
    const bool stalled = progress.stalled_ticks() >= stall_ticks;
    switch (progress.state()) {
      case ProgressState::probe:
        progress.allow_probe();  // the probe may have been lost: send it again
        break;
      case ProgressState::replicate:
        if (stalled) progress.become_probe(progress.match_end());  // requests or answers were lost
        break;
      case ProgressState::snapshot:
        if (stalled) progress.become_probe(progress.match_end());  // the snapshot or its answer was lost
        break;
    }
    if (progress.state() == ProgressState::replicate) (void)send_append(node, progress, true);
    replicate(node, progress);
  }
}

void Leader::check_quorum() {
  const Configuration& configuration = state_.configuration();
  size_t active = configuration.is_voter(state_.id()) ? 1 : 0;
  for (auto& [node, progress] : progress_) {
    if (configuration.is_voter(node) && progress.recently_active()) ++active;
    progress.clear_recently_active();
  }
  if (active < configuration.quorum()) must_step_down_ = true;
}

}  // namespace millrace::replication
