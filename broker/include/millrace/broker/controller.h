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
// Requests that change metadata are accepted only by the controller leader (others answer NOT_CONTROLLER);
// their callbacks run once the command is committed and applied on the leader.
//
// Thread-safety: network thread only.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "millrace/broker/broker_config.h"
#include "millrace/broker/flusher.h"
#include "millrace/broker/partition.h"
#include "millrace/broker/partition_manager.h"
#include "millrace/broker/raft_transport.h"
#include "millrace/storage/kv_store.h"

namespace millrace::wire {
class ControllerCommand;
}

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

  std::optional<NodeId> leader() const;
  bool is_leader() const;
  // Nodes heard from recently (this node included): the live brokers.
  std::vector<NodeId> live_nodes() const;
  void step(const replication::Message& message);
  void tick();
  Status close();

 private:
  Status check_leader() const;
  void propose(const wire::ControllerCommand& command, Done done);
  void on_commit(Offset commit_end);
  Status apply(const wire::ControllerCommand& command);
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
  std::set<RaftGroupId> in_flight_;  // reassignment commands proposed and not yet applied
};

}  // namespace millrace::broker
