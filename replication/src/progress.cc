#include "progress.h"

#include <algorithm>
#include <cassert>

namespace millrace::replication {

Progress::Progress(Offset next, int max_inflight_appends, size_t max_inflight_bytes)
    : next_(next), max_inflight_appends_(max_inflight_appends), max_inflight_bytes_(max_inflight_bytes) {
  assert(max_inflight_appends > 0);
}

bool Progress::can_send() const {
  switch (state_) {
    case ProgressState::probe:
      return !probe_sent_;
    case ProgressState::replicate:
      return static_cast<int>(inflight_.size()) < max_inflight_appends_ &&
             inflight_bytes_ < max_inflight_bytes_;
    case ProgressState::snapshot:
      return false;
  }
  return false;
}

void Progress::on_sent(Offset start, Offset end, size_t bytes) {
  if (state_ == ProgressState::probe) {
    next_ = start;
    probe_sent_ = true;
    return;
  }
  assert(state_ == ProgressState::replicate);
  if (end <= next_) return;  // nothing new (a heartbeat)
  next_ = end;
  inflight_.push_back({end, bytes});
  inflight_bytes_ += bytes;
}

bool Progress::on_success(Offset match_end, Offset durable_end) {
  bool rose = false;
  if (match_end > match_end_) {
    match_end_ = match_end;
    stalled_ticks_ = 0;
    rose = true;
  }
  if (durable_end > durable_end_) {
    durable_end_ = std::min(durable_end, match_end_);
    rose = true;
  }
  free_inflight_below(match_end_);
  if (state_ != ProgressState::replicate) {
    state_ = ProgressState::replicate;
    next_ = match_end_;
    probe_sent_ = false;
  }
  next_ = std::max(next_, match_end_);
  return rose;
}

bool Progress::is_stale_rejection(Offset start) const {
  if (state_ == ProgressState::replicate) return start < match_end_;
  if (state_ == ProgressState::probe) return start != next_;
  return true;
}

void Progress::on_rejection(Offset hint) {
  // The follower has nothing matching at or after `hint`: if it acknowledged more before, it lost
  // unflushed entries in a crash.
  match_end_ = std::min(match_end_, hint);
  durable_end_ = std::min(durable_end_, match_end_);
  become_probe(hint);
}

void Progress::become_probe(Offset next) {
  state_ = ProgressState::probe;
  stalled_ticks_ = 0;
  next_ = std::max(next, match_end_);
  probe_sent_ = false;
  inflight_.clear();
  inflight_bytes_ = 0;
}

void Progress::become_snapshot(Offset snapshot_end) {
  state_ = ProgressState::snapshot;
  stalled_ticks_ = 0;
  next_ = snapshot_end;
  probe_sent_ = false;
  inflight_.clear();
  inflight_bytes_ = 0;
}

void Progress::on_tick() {
  stalled_ticks_ = has_inflight() ? stalled_ticks_ + 1 : 0;
}

void Progress::free_inflight_below(Offset end) {
  while (!inflight_.empty() && inflight_.front().end <= end) {
    inflight_bytes_ -= inflight_.front().bytes;
    inflight_.pop_front();
  }
}

}  // namespace millrace::replication
