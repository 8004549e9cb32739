#pragma once
// Nemesis: the simulator's fault injector. Every few hundred virtual milliseconds it picks one fault:
// isolate the leader, split the group (majority | minority), split every node from every other, cut one
// direction of a link, flap a link, heal the network, crash a node (it restarts later without its unflushed
// entries), slow a disk, move leadership, change membership (remove a voter, add a learner, promote it), or
// truncate a log's committed prefix. Not thread-safe.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "event_queue.h"
#include "millrace/replication/prng.h"
#include "network.h"
#include "sim_node.h"

namespace millrace::sim {

struct FaultStats {
  int64_t partitions = 0;
  int64_t heals = 0;
  int64_t crashes = 0;
  int64_t slow_disks = 0;
  int64_t transfers = 0;
  int64_t configuration_changes = 0;  // accepted by a leader
  int64_t prefix_truncations = 0;
};

class Nemesis {
 public:
  Nemesis(std::vector<std::unique_ptr<SimNode>>& nodes, Network& network, EventQueue& queue,
          replication::Prng& prng, bool verbose);

  // Injects a fault every [kMinFaultIntervalMs, max_interval_ms] virtual milliseconds.
  void start(int64_t max_interval_ms);
  // Stops injecting faults and undoes them: heals the network, restarts crashed nodes, fixes disks.
  void stop_and_repair();
  const FaultStats& stats() const { return stats_; }

 private:
  void act();
  void isolate_leader();
  void split_majority_minority();
  void split_everyone();
  void cut_one_direction();
  void flap_link();
  void crash(SimNode& node);
  void slow_disk();
  void transfer_leadership();
  void change_membership();
  void truncate_prefix();
  SimNode* leader();
  void note(const std::string& what) const;
  int random_node();

  std::vector<std::unique_ptr<SimNode>>& nodes_;
  Network& network_;
  EventQueue& queue_;
  replication::Prng& prng_;
  const bool verbose_;
  bool active_ = false;
  int64_t max_interval_ms_ = 500;
  FaultStats stats_;
};

// The live node that believes it leads the highest term, or nullptr.
SimNode* find_leader(std::vector<std::unique_ptr<SimNode>>& nodes);

}  // namespace millrace::sim
