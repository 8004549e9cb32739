#pragma once
// RaftConfig: one node's Raft settings. Time is counted in ticks; the driver decides how long a tick is
// (the broker: ~10 ms; the simulator: virtual).
#include <cstddef>
#include <cstdint>

#include "millrace/protocol/result.h"
#include "millrace/protocol/strong_types.h"

namespace millrace::replication {

constexpr int kDefaultElectionTimeoutTicks = 10;
constexpr int kDefaultHeartbeatIntervalTicks = 2;
constexpr int kDefaultMaxInflightAppends = 8;                     // per follower: pipelining depth
constexpr size_t kDefaultMaxEntryBytes = 1024 * 1024 + 12;        // one batch: Kafka's max.message.bytes
constexpr size_t kDefaultMaxAppendBytes = 1024 * 1024;            // entry bytes per AppendRequest
constexpr size_t kDefaultMaxInflightBytes = 8 * 1024 * 1024;      // per follower: flow control
constexpr size_t kDefaultMaxUncommittedBytes = 32 * 1024 * 1024;  // proposals wait beyond this

struct RaftConfig {
  NodeId self{0};
  // Followers wait a random number of ticks in [election_timeout_ticks, 2 * election_timeout_ticks) without
  // hearing from a leader before campaigning. The leader checks its quorum every election_timeout_ticks.
  int election_timeout_ticks = kDefaultElectionTimeoutTicks;
  int heartbeat_interval_ticks = kDefaultHeartbeatIntervalTicks;
  int max_inflight_appends = kDefaultMaxInflightAppends;
  size_t max_entry_bytes = kDefaultMaxEntryBytes;    // largest batch a proposal may be
  size_t max_append_bytes = kDefaultMaxAppendBytes;  // per AppendRequest, but always at least one entry
  size_t max_inflight_bytes = kDefaultMaxInflightBytes;
  size_t max_uncommitted_bytes = kDefaultMaxUncommittedBytes;
  bool pre_vote = true;      // campaign with a pre-vote first, so a partitioned node cannot inflate terms
  bool check_quorum = true;  // a leader that loses its quorum steps down; voters honour a leader lease
  uint64_t random_seed = 0;  // seeds the election-timeout randomness

  // invalid_argument unless the timeouts and limits make sense (heartbeat < election timeout, ...).
  Status validate() const;
};

}  // namespace millrace::replication
