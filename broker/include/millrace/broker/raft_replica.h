#pragma once
// RaftReplica: the driver of one Raft group on this node (design brief, decision 4). It owns the group's
// RaftNode and the SegmentedLog view of the partition's log, and carries out every Ready in the order
// ready.h prescribes: persist the hard state (KvStore, synced), apply log operations to the log, send
// messages through the RaftTransport, then report commit advances and leadership changes to its owner.
//
// Flushing stays with the owner (Partition), which fsyncs on the Flusher and calls on_flushed(); under
// flush: interval an appended entry counts as flushed at once (the relaxed policy, docs/storage.md).
//
// A replica whose hard state or log cannot be written stops (failed()): it sends nothing more, so the group
// treats it as a crashed member. Thread-safety: the owner (network) thread only.
#include <chrono>
#include <functional>
#include <map>
#include <memory>

#include "millrace/broker/broker_config.h"
#include "millrace/broker/kv_hard_state_store.h"
#include "millrace/broker/raft_group_id.h"
#include "millrace/broker/raft_transport.h"
#include "millrace/replication/raft_node.h"
#include "millrace/replication/segmented_log.h"
#include "millrace/storage/partition_log.h"

namespace millrace::broker {

class RaftReplica {
 public:
  struct Hooks {
    std::function<void()> log_changed;                                     // appended or truncated
    std::function<void(Offset new_end)> truncated;                         // entries >= new_end are gone
    std::function<void(Offset commit_end)> committed;                      // commit_end rose
    std::function<void(const replication::LeadershipChange&)> leadership;  // role or leader changed
  };

  // `log` must outlive the replica. `voters` is the group's initial configuration (used when the log
  // carries none yet).
  static Result<std::unique_ptr<RaftReplica>> open(const RaftGroupId& group, storage::PartitionLog& log,
                                                   storage::KvStore& store, RaftTransport& transport,
                                                   const BrokerConfig& config,
                                                   const std::vector<NodeId>& voters, Hooks hooks);
  ~RaftReplica();

  // Proposes one batch (leader only). Returns its base offset; it is committed once commit_end() passes it.
  Result<Offset> propose(Buffer batch);
  void step(const replication::Message& message);
  void tick();
  // The owner's fsync completed: entries below `flushed_end` are durable.
  void on_flushed(Offset flushed_end);
  Status transfer_leadership(NodeId target);
  // One membership change (leader only; one at a time): see RaftNode::propose_configuration_change.
  Result<Offset> change_configuration(const replication::ConfigChange& change);
  // Drops the log below `new_start` (committed entries only), after retention deleted their segments. The
  // new start (offset, term before it, configuration in force) is persisted so a restart opens the log there.
  Status truncate_prefix(Offset new_start);

  const replication::RaftNode& node() const { return *node_; }
  const RaftGroupId& group() const { return group_; }
  bool failed() const { return failed_; }
  // The in-sync replicas (leader only; else empty), the leader included: followers heard from within an
  // election timeout that were durable up to the commit point at some moment within that time (Kafka's
  // replica.lag.time.max.ms rule, with the election timeout as the lag). A follower a few batches behind
  // under load stays in sync; a dead one drops out after the election timeout, writes or not.
  std::vector<NodeId> in_sync_replicas() const;
  // Leader only (else 0): the end below which at least `count` members, the leader included, have the log
  // durable. acks=all with min.insync.replicas = n is acknowledged only below durable_on(n).
  Offset durable_on(size_t count) const;
  // Forgets the persisted hard state and log start (the replica is being deleted).
  void erase_state();

 private:
  RaftReplica(RaftGroupId group, RaftTransport& transport, FlushPolicy policy,
              std::chrono::milliseconds liveness_window, Hooks hooks,
              std::unique_ptr<KvHardStateStore> hard_state, storage::KvStore& store,
              std::unique_ptr<replication::SegmentedLog> log);
  void process_ready();
  // Persists where the log now begins (after a prefix truncation or a snapshot reset).
  Status save_log_start(const replication::LogStart& start);
  // Leader: records which followers are durable up to the commit point now.
  void note_caught_up();
  void fail(const std::string& what, const Error& error);

  RaftGroupId group_;
  RaftTransport& transport_;
  FlushPolicy policy_;
  std::chrono::milliseconds liveness_window_;  // a follower not heard from for this long is not in sync
  Hooks hooks_;
  std::unique_ptr<KvHardStateStore> hard_state_;
  storage::KvStore& store_;
  std::unique_ptr<replication::SegmentedLog> log_;
  std::unique_ptr<replication::RaftNode> node_;
  bool failed_ = false;
  bool processing_ = false;
  // Leader only: when each follower was last durable up to the commit point, in term caught_up_term_.
  std::map<int32_t, std::chrono::steady_clock::time_point> caught_up_;
  replication::Term caught_up_term_{0};
};

}  // namespace millrace::broker
