#pragma once
// Network: the simulator's in-memory network between the nodes of one group. Each message is dropped with
// the background loss probability, delayed by a random amount (so messages reorder), and sometimes
// delivered twice. On top of that the nemesis shapes the directed links: partitions (isolate one node,
// split into groups), asymmetric cuts (a→b down, b→a up) and flapping links. Not thread-safe.
#include <cstdint>
#include <functional>
#include <vector>

#include "event_queue.h"
#include "millrace/replication/message.h"
#include "millrace/replication/prng.h"
#include "sim_options.h"
#include "trace_hash.h"

namespace millrace::sim {

struct NetworkStats {
  int64_t sent = 0;
  int64_t delivered = 0;
  int64_t dropped = 0;
  int64_t duplicated = 0;
};

class Network {
 public:
  using Receiver = std::function<void(const replication::Message&)>;

  Network(int nodes, const SimOptions& options, replication::Prng& prng, EventQueue& queue, TraceHash& trace);
  void set_receiver(Receiver receiver) { receiver_ = std::move(receiver); }

  void send(replication::Message message);

  // Every link up, flapping stopped.
  void heal();
  // The node can neither send nor receive.
  void isolate(int node);
  // Links are up exactly between nodes of the same group (group_of[node]).
  void split(const std::vector<int>& group_of);
  // One direction only.
  void set_link(int from, int to, bool up) { up_[index(from, to)] = up; }
  // Toggles both directions between a and b `toggles` times at random intervals, ending up.
  void flap(int a, int b, int toggles);
  bool link_up(int from, int to) const { return up_[index(from, to)]; }

  const NetworkStats& stats() const { return stats_; }

 private:
  size_t index(int from, int to) const { return static_cast<size_t>(from * nodes_ + to); }
  void schedule_delivery(const replication::Message& message);
  void flap_step(int a, int b, int toggles_left, uint64_t generation);

  const int nodes_;
  const SimOptions& options_;
  replication::Prng& prng_;
  EventQueue& queue_;
  TraceHash& trace_;
  Receiver receiver_;
  std::vector<bool> up_;
  uint64_t flap_generation_ = 0;
  NetworkStats stats_;
};

}  // namespace millrace::sim
