#include "follower.h"

#include <algorithm>
#include <cassert>

namespace millrace::replication {

void Follower::reset() {
  verified_end_ = Offset{0};
  acknowledged_durable_end_ = Offset{0};
}

Offset Follower::durable_end() const {
  return std::min(state_.flushed_end(), verified_end_);
}

void Follower::reject(NodeId to, const AppendRequest& request, Offset hint) {
  assert(hint < request.start);
  state_.send(to, AppendResponse{state_.term(), request.start, false, Offset{0}, Offset{0}, hint});
}

void Follower::acknowledge(NodeId to, Offset start) {
  acknowledged_durable_end_ = std::max(acknowledged_durable_end_, durable_end());
  state_.send(to, AppendResponse{state_.term(), start, true, verified_end_, durable_end(), Offset{0}});
}

void Follower::on_append(NodeId from, const AppendRequest& request) {
  LogView& log = state_.log();
  Offset start = request.start;
  auto first = request.entries.begin();
  if (start < log.start_offset()) {
    // Everything below our start is committed, so it matches the leader: skip what the request repeats.
    while (first != request.entries.end() && first->base_offset < log.start_offset()) ++first;
    start = log.start_offset();
    assert(first == request.entries.end() || first->base_offset == start);
  } else if (start > log.end_offset()) {
    return reject(from, request, log.end_offset());
  } else if (!log.matches(start, request.prev_term)) {
    assert(start > log.start_offset());  // the entry before our start is committed, so it matches
    const Offset conflict_first = log.term_first_offset(Offset{start.value - 1});
    return reject(from, request, std::min(std::max(conflict_first, verified_end_), Offset{start.value - 1}));
  }
  // Our log matches the leader's below `start`.
  for (auto it = first; it != request.entries.end(); ++it) {
    if (it->base_offset < log.end_offset()) {
      if (log.term_at(it->base_offset) == it->term) continue;  // already here (same term, same entry)
      assert(it->base_offset >= verified_end_);                // what matched this leader stays
      state_.truncate_suffix(it->base_offset);                 // a divergent suffix
    }
    state_.append(*it);
  }
  const Offset matched = first == request.entries.end() ? start : request.entries.back().end_offset();
  verified_end_ = std::max(verified_end_, matched);
  state_.advance_commit(std::min(request.commit_end, verified_end_));
  acknowledge(from, request.start);
}

void Follower::on_snapshot(NodeId from, const SnapshotRequest& request) {
  LogView& log = state_.log();
  if (request.start > state_.commit_end()) {
    const LogStart start{request.start, request.prev_term, request.configuration};
    if (log.matches(request.start, request.prev_term)) {
      state_.advance_commit(request.start);  // it matches the leader's committed prefix
      if (request.start > log.start_offset()) state_.truncate_prefix(start);  // keep the matching suffix
    } else {
      state_.reset_log(start);
    }
  }
  verified_end_ = std::max(verified_end_, state_.commit_end());
  state_.send(from, SnapshotResponse{state_.term(), state_.commit_end()});
}

void Follower::on_flushed() {
  if (state_.role() != Role::follower || !state_.leader()) return;
  if (durable_end() > acknowledged_durable_end_) acknowledge(*state_.leader(), verified_end_);
}

}  // namespace millrace::replication
