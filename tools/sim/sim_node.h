#pragma once
// SimNode: one simulated broker for one Raft group — a RaftNode driven exactly as the broker will drive it,
// over a MemoryLog "disk" and a MemoryHardStateStore.
//
// Disk model: appends reach the log at once but become durable only when a flush completes, after a short
// (or, with a slow disk, long) virtual delay; one flush is in flight at a time and covers everything appended
// before it started (group commit). A crash loses whatever was not flushed; the hard state is written
// synchronously and survives. A restart builds a new RaftNode from what survived. Not thread-safe.
#include <cstdint>
#include <memory>

#include "event_queue.h"
#include "invariant_checker.h"
#include "millrace/replication/hard_state.h"
#include "millrace/replication/memory_log.h"
#include "millrace/replication/prng.h"
#include "millrace/replication/raft_node.h"
#include "network.h"
#include "sim_options.h"
#include "trace_hash.h"

namespace millrace::sim {

struct SimContext {
  EventQueue& queue;
  Network& network;
  InvariantChecker& checker;
  replication::Prng& prng;
  TraceHash& trace;
  RaftTuning tuning;
  bool verbose;
};

class SimNode {
 public:
  SimNode(int id, const replication::Configuration& bootstrap, SimContext context);

  int id() const { return id_; }
  bool live() const { return raft_ != nullptr; }
  replication::RaftNode* raft() { return raft_.get(); }
  const replication::RaftNode* raft() const { return raft_.get(); }
  const replication::MemoryLog& log() const { return log_; }
  int64_t restarts() const { return incarnation_; }

  void start();
  void crash();
  void set_slow_disk(bool slow) { slow_disk_ = slow; }
  bool slow_disk() const { return slow_disk_; }

  // Inputs, each followed by processing the node's Ready.
  void deliver(const replication::Message& message);
  Result<Offset> propose(Buffer batch);
  Result<Offset> propose_configuration_change(const replication::ConfigChange& change);
  Status transfer_leadership(NodeId target);
  Status truncate_prefix(Offset offset);

 private:
  void tick(uint64_t incarnation);
  void process_ready();
  void maybe_flush();
  void on_flush_done(replication::MemoryLog::FlushTicket ticket, uint64_t incarnation);
  replication::RaftConfig raft_config() const;

  const int id_;
  const replication::Configuration bootstrap_;
  SimContext context_;
  replication::MemoryLog log_;
  replication::MemoryHardStateStore hard_state_store_;
  std::unique_ptr<replication::RaftNode> raft_;
  uint64_t incarnation_ = 0;
  bool flush_in_flight_ = false;
  bool slow_disk_ = false;
};

}  // namespace millrace::sim
