#pragma once
// Progress: what a leader knows about one follower's log, and how it sends to it.
//
//   probe      the leader does not know where the follower's log matches its own: it sends one append at a
//              time from `next` and waits for the answer (or the next heartbeat) before sending again.
//   replicate  the follower matches below match_end: the leader pipelines appends from `next` without
//              waiting, up to max_inflight_appends requests and max_inflight_bytes bytes in flight.
//   snapshot   the follower needs entries the leader truncated away: a SnapshotRequest is in flight.
//
// match_end counts what the follower appended; durable_end what it flushed, which is what counts toward
// commit. Both only rise, except when a rejection proves the follower lost unflushed entries in a crash.
// Not thread-safe.
#include <cstddef>
#include <deque>

#include "millrace/protocol/strong_types.h"

namespace millrace::replication {

enum class ProgressState : uint8_t { probe, replicate, snapshot };

class Progress {
 public:
  Progress(Offset next, int max_inflight_appends, size_t max_inflight_bytes);

  ProgressState state() const { return state_; }
  Offset next() const { return next_; }
  Offset match_end() const { return match_end_; }
  Offset durable_end() const { return durable_end_; }

  // Whether another append may be sent now.
  bool can_send() const;
  // An append of entries ending at `end` (`bytes` of them) was sent; in probe state `end` is its start.
  void on_sent(Offset start, Offset end, size_t bytes);
  // A success: the follower matches below `match_end` and has flushed below `durable_end`.
  // Returns whether anything rose.
  bool on_success(Offset match_end, Offset durable_end);
  // A non-stale rejection: retry from `hint` in probe state.
  void on_rejection(Offset hint);
  // Whether a rejection of an append that started at `start` is stale (answers an older request).
  bool is_stale_rejection(Offset start) const;
  void become_probe(Offset next);
  void become_snapshot(Offset snapshot_end);

  // Whether the follower answered anything since the last clear (for the leader's quorum check).
  bool recently_active() const { return recently_active_; }
  void clear_recently_active() { recently_active_ = false; }
  void on_answer() { recently_active_ = true; }
  // Ticks during which requests were in flight but match_end did not rise: a lost request or answer
  // (heartbeats keep being answered, so silence alone does not reveal a lost append).
  int stalled_ticks() const { return stalled_ticks_; }
  void on_tick();
  bool has_inflight() const { return !inflight_.empty() || probe_sent_ || state_ == ProgressState::snapshot; }
  void allow_probe() { probe_sent_ = false; }

 private:
  struct Inflight {
    Offset end;
    size_t bytes;
  };
  void free_inflight_below(Offset end);

  ProgressState state_ = ProgressState::probe;
  Offset next_;
  Offset match_end_{0};
  Offset durable_end_{0};
  bool probe_sent_ = false;
  bool recently_active_ = false;
  int stalled_ticks_ = 0;
  std::deque<Inflight> inflight_;
  size_t inflight_bytes_ = 0;
  const int max_inflight_appends_;
  const size_t max_inflight_bytes_;
};

}  // namespace millrace::replication
