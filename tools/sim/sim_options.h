#pragma once
// SimOptions: what one simulator run does. Times are virtual milliseconds.
#include <cstdint>

namespace millrace::sim {

constexpr int kDefaultNodes = 3;
constexpr int kMaxNodes = 9;
constexpr int64_t kDefaultSteps = 20'000;     // events in the safety phase
constexpr int64_t kTickMs = 10;               // one Raft tick
constexpr int64_t kLivenessBoundMs = 30'000;  // after healing, everything must converge within this
constexpr int kElectionTimeoutTicks = 10;     // 100-200 ms
constexpr int kHeartbeatIntervalTicks = 2;    // 20 ms
constexpr size_t kMaxEntryBytes = 1024;
constexpr size_t kMaxInflightBytes = 8 * 1024;
constexpr size_t kMaxUncommittedBytes = 64 * 1024;

// Per-run variety, drawn from the seed: small appends split the log into many requests (one entry each at
// the smallest), which widens the windows in which ordering bugs show.
constexpr size_t kAppendBytesChoices[] = {64, 600, 2048};
constexpr int kInflightAppendsChoices[] = {1, 4, 8};
constexpr int64_t kMaxFaultIntervalChoicesMs[] = {120, 500, 1000};

// The Raft settings of one run.
struct RaftTuning {
  size_t max_append_bytes = 2048;
  int max_inflight_appends = 4;
};

struct SimOptions {
  uint64_t seed = 1;
  int nodes = kDefaultNodes;
  int64_t steps = kDefaultSteps;
  bool faults = true;              // the nemesis: partitions, crashes, slow disks, membership changes...
  bool trace = false;              // print every event
  double drop_probability = 0.05;  // background message loss
  double duplicate_probability = 0.02;
};

}  // namespace millrace::sim
