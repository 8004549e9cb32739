#pragma once
// TestCluster: a hand-driven Raft group for unit tests. Nothing happens unless a test says so: ticks,
// message delivery and flushes are explicit, and links can be cut. Each node runs over a MemoryLog and a
// MemoryHardStateStore, and its Ready is carried out in the prescribed order.
#include <functional>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "millrace/protocol/bytes.h"
#include "millrace/replication/hard_state.h"
#include "millrace/replication/memory_log.h"
#include "millrace/replication/raft_node.h"

namespace millrace::replication::test {

// A data batch of `records` records whose values name `tag`.
Buffer data_batch(const std::string& tag, int records = 1);

class TestCluster {
 public:
  // Nodes 0..nodes-1, all voters unless `voters` is smaller (then the rest start outside the group).
  explicit TestCluster(int nodes, RaftConfig base = {}, int voters = -1);

  RaftNode& node(int i) { return *nodes_[static_cast<size_t>(i)]; }
  MemoryLog& log(int i) { return *logs_[static_cast<size_t>(i)]; }
  MemoryHardStateStore& store(int i) { return stores_[static_cast<size_t>(i)]; }
  int size() const { return static_cast<int>(nodes_.size()); }
  const std::vector<Ready>& readies(int i) const { return readies_[static_cast<size_t>(i)]; }

  // Carries out node i's Ready: hard state, log ops, then its messages go to the in-flight list.
  void drain(int i);
  void drain_all();
  // Delivers in-flight messages (dropping those on cut links) until none are left. Flushes after every
  // round if `flush` is set.
  void deliver_all(bool flush = true);
  // Completes a flush of everything node i appended so far.
  void flush(int i);
  void flush_all();
  void tick(int i, int times = 1);
  void tick_all(int times = 1);
  // Campaigns node i and delivers until quiet; returns whether it became leader.
  bool elect(int i);
  // Proposes on node i and delivers until quiet.
  Result<Offset> propose(int i, const std::string& tag, int records = 1);

  void cut(int a, int b);  // both directions
  void isolate(int i);
  void heal() { cut_.clear(); }
  // Loses node i's unflushed entries and restarts it from what survived.
  void crash_and_restart(int i);

  std::vector<Message>& in_flight() { return in_flight_; }
  // Messages node i sent since the last clear, of any type.
  std::vector<Message>& sent(int i) { return sent_[static_cast<size_t>(i)]; }
  Configuration bootstrap() const { return bootstrap_; }

 private:
  RaftConfig config_for(int i) const;

  RaftConfig base_;
  Configuration bootstrap_;
  std::vector<std::unique_ptr<MemoryLog>> logs_;
  std::vector<MemoryHardStateStore> stores_;
  std::vector<std::unique_ptr<RaftNode>> nodes_;
  std::vector<std::vector<Ready>> readies_;
  std::vector<std::vector<Message>> sent_;
  std::vector<Message> in_flight_;
  std::set<std::pair<int, int>> cut_;
  int restarts_ = 0;
};

}  // namespace millrace::replication::test
