#pragma once
// FaultInjector: for a fixed time, cycles through four faults aimed at the leader of one partition (a
// different partition each cycle), each followed by a calm period:
//   kill-leader       SIGKILL the leader, restart it after `hold`;
//   pause-leader      SIGSTOP the leader for `pause` (longer than the election timeout), then SIGCONT;
//   kill-new-leader   SIGKILL the leader, wait for another node to win the election, SIGKILL that one at
//                     once (two of three down: no quorum), restart both after `hold`;
//   isolate-leader    blackhole every link between the leader and the other nodes for `hold`, then heal.
// A cycle that has begun is finished, so any duration runs at least one of each fault. heal_all() undoes
// everything (resume, restart, heal links). Events are recorded with their times for the report.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "cluster.h"

namespace millrace::faulttest {

struct FaultOptions {
  std::chrono::milliseconds duration{15000};
  std::chrono::milliseconds hold{2000};   // how long a node stays dead or cut off
  std::chrono::milliseconds pause{2000};  // how long a leader stays stopped
  std::chrono::milliseconds calm{1500};   // after each fault
  std::string topic;
  int32_t partitions = 1;
};

struct FaultEvent {
  int64_t at_ms = 0;
  std::string what;  // e.g. "kill -9 node 1 (leader of p0)"
};

class FaultInjector {
 public:
  FaultInjector(Cluster& cluster, FaultOptions options, std::chrono::steady_clock::time_point epoch);

  // Runs the cycles; returns when the duration has passed and the current cycle is done.
  void run();
  // Resumes paused nodes, restarts dead ones, heals every link.
  void heal_all();

  const std::vector<FaultEvent>& events() const { return events_; }
  int32_t cycles() const { return cycles_; }

 private:
  void kill_leader(int32_t partition);
  void pause_leader(int32_t partition);
  void kill_new_leader(int32_t partition);
  void isolate_leader(int32_t partition);
  // Waits (up to 10 s) for a serving node to lead `partition`; -1 if none.
  int32_t find_leader(int32_t partition, int32_t other_than = -1);
  void restart(int32_t node);
  void note(std::string what);
  void sleep(std::chrono::milliseconds d);

  Cluster& cluster_;
  FaultOptions options_;
  std::chrono::steady_clock::time_point epoch_;
  std::vector<FaultEvent> events_;
  int32_t cycles_ = 0;
};

}  // namespace millrace::faulttest
