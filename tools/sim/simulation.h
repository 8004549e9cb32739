#pragma once
// Simulation: one seeded, deterministic run of a Raft group. A safety phase of `steps` events with client
// load and the nemesis, invariants checked after every event; then a liveness phase that repairs everything
// and requires a leader and every committed entry on every live member within kLivenessBoundMs.
// The same options give the same run, event for event (SimResult::trace_hash).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "event_queue.h"
#include "invariant_checker.h"
#include "millrace/replication/prng.h"
#include "nemesis.h"
#include "network.h"
#include "sim_node.h"
#include "sim_options.h"
#include "trace_hash.h"

namespace millrace::sim {

struct SimResult {
  bool ok = false;
  std::string violation;  // the first one, when !ok
  int64_t violation_step = 0;
  int64_t violation_time_ms = 0;
  uint64_t trace_hash = 0;
  std::string summary;  // several lines for humans
};

class Simulation {
 public:
  explicit Simulation(const SimOptions& options);
  SimResult run();

 private:
  void propose_from_client();
  Buffer make_client_batch();
  bool converged();
  std::string describe_nodes();
  bool step(SimResult& result, int64_t step_number);
  std::string summary(int64_t safety_events, int64_t liveness_events, int64_t converged_after_ms) const;

  const SimOptions options_;
  replication::Prng prng_;
  RaftTuning tuning_;
  EventQueue queue_;
  TraceHash trace_;
  InvariantChecker checker_;
  Network network_;
  std::vector<std::unique_ptr<SimNode>> nodes_;
  Nemesis nemesis_;
  bool clients_active_ = true;
  int64_t proposals_ = 0;
  int64_t proposals_accepted_ = 0;
};

}  // namespace millrace::sim
