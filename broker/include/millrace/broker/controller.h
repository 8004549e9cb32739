#pragma once
// Controller: the cluster's metadata, replicated by the controller Raft group (design brief, decision 4).
// Its voters are the --peers nodes; its log lives in <data_dir>/__controller as one more segmented log.
//
// Commands (cluster.proto's ControllerCommand: create/delete topic, set topic config, add partitions) are
// proposed by the controller leader, one per record batch. Every node applies committed commands in log
// order to its PartitionManager, which records them in the node's KvStore and opens or removes the local
// replicas. The offset applied so far is kept under "controller/applied" so a restart resumes, and every
// apply is idempotent, so a crash between an apply and that record replays safely.
//
// Brokers register and heartbeat through the controller leader (ApiKey 14); it commits RegisterBroker,
// FenceBroker and UnfenceBroker commands, which every node applies to its BrokerRegistry. A broker beyond the
// initial voters becomes a learner of the controller group once registered. Producer id blocks (ApiKey 15)
// come from AllocateProducerIdBlock commands; the next block's start is applied state, so blocks never
// overlap across restarts and failovers.
//
// Requests that change metadata are accepted only by the controller leader (others answer NOT_CONTROLLER);
// their callbacks run once the command is committed and applied on the leader.
//
// Thread-safety: network thread only.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "millrace/broker/broker_config.h"
#include "millrace/broker/broker_registry.h"
#include "millrace/broker/flusher.h"
#include "millrace/broker/partition.h"
#include "millrace/broker/partition_manager.h"
#include "millrace/broker/raft_transport.h"
#include "millrace/broker/replica_placement.h"
#include "millrace/storage/kv_store.h"

namespace millrace::wire {
class ControllerCommand;
class BrokerHeartbeatRequest;
class BrokerHeartbeatResponse;
class AllocateProducerIdsResponse;
}  // namespace millrace::wire

namespace millrace::broker {

class Controller {
 public:
  using Done = std::function<void(Status)>;

  Controller(const BrokerConfig& config, storage::KvStore& store, Flusher& flusher, RaftTransport& transport,
             PartitionManager& manager);
  ~Controller();

  Status open();

  // Metadata changes (controller leader only).
  void create_topic(const TopicSpecInput& spec, int32_t replication_factor, Done done);
  void delete_topic(const std::string& name, Done done);
  void alter_topic_config(const std::string& name, const TopicConfigOverrides& set,
                          const std::vector<std::string>& remove, bool validate_only, Done done);
  void add_partitions(const std::string& name, int32_t total_partitions, Done done);
  // Records a partition's target replica set (controller_reassign.cc; docs/replication.md, "Reassignment").
  // `done` runs once the command is committed and applied; the move itself continues in the background.
  void reassign_partition(const std::string& topic, int32_t partition, const std::vector<int32_t>& replicas,
                          Done done);
  // Controller leader: proposes the completion of every reassignment whose group's committed configuration
  // is its target. Called every Raft tick.
  void complete_reassignments();

  // --- brokers and producer ids (controller_brokers.cc) ---
  using HeartbeatDone = std::function<void(const wire::BrokerHeartbeatResponse&)>;
  using ProducerIdsDone = std::function<void(const wire::AllocateProducerIdsResponse&)>;
  // A broker's heartbeat (controller leader; others answer NOT_CONTROLLER): registers it, or records its
  // new address or rack, and unfences it if it was fenced. Answered at once with the committed state.
  void broker_heartbeat(const wire::BrokerHeartbeatRequest& request, HeartbeatDone done);
  // The next block of producer ids for `node`, answered once the allocation is committed and applied.
  void allocate_producer_ids(int32_t node, ProducerIdsDone done);
  // The brokers as the committed metadata has them.
  const BrokerRegistry& brokers() const { return brokers_; }

  std::optional<NodeId> leader() const;
  bool is_leader() const;
  // The brokers new replicas may go to: registered, not fenced, and heard from recently (this node
  // included, once registered).
  std::vector<NodeId> live_nodes() const;
  void step(const replication::Message& message);
  void tick();
  Status close();

 private:
  Status check_leader() const;
  void propose(const wire::ControllerCommand& command, Done done);
  void on_commit(Offset commit_end);
  Status apply(const wire::ControllerCommand& command, Offset offset);
  // controller_brokers.cc
  Status open_brokers();
  bool is_broker_command(const wire::ControllerCommand& command) const;
  Status apply_broker_command(const wire::ControllerCommand& command, Offset offset);
  void tick_brokers();
  void propose_broker_change(int32_t node, const wire::ControllerCommand& command);
  std::vector<PlacementBroker> placement_candidates() const;
  std::vector<std::vector<int32_t>> assign(const std::string& topic, int32_t first_partition, int32_t count,
                                           int32_t replication_factor) const;

  const BrokerConfig& config_;
  storage::KvStore& store_;
  Flusher& flusher_;
  RaftTransport& transport_;
  PartitionManager& manager_;
  std::shared_ptr<Partition> partition_;
  Offset applied_{0};
  std::map<int64_t, Done> pending_;  // by the end offset of the command's entry

  // Brokers (controller_brokers.cc). Applied state on every node:
  BrokerRegistry brokers_;
  int64_t next_producer_id_ = 0;    // the first id of the next block ("controller/next_producer_id")
  Offset producer_ids_applied_{0};  // end offset of the last allocation applied (replays skip)
  // Leader only (volatile; reset when this node becomes leader):
  bool was_leader_ = false;
  std::chrono::steady_clock::time_point leader_since_{};
  std::map<int32_t, std::chrono::steady_clock::time_point> heartbeats_;  // last heartbeat per broker
  std::set<int32_t> broker_changes_in_flight_;                           // nodes with a proposal pending
  std::map<uint64_t, int64_t> allocated_blocks_;  // request id -> block start (awaited by this leader)
  uint64_t next_request_id_ = 1;
  uint64_t broker_ticks_ = 0;
  std::set<RaftGroupId> in_flight_;  // reassignment commands proposed and not yet applied
};

}  // namespace millrace::broker
