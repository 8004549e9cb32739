#pragma once
// PartitionManager: the broker core for topics and partitions on this node. Creates, opens, deletes topics;
// validates and appends produced batches; reads; lists offsets. Knows nothing about wire formats: the native
// handler (and later the Kafka handler) are thin adapters over these calls. Errors are client-visible
// protocol::errc codes with messages.
//
// Thread-safety: owner (network) thread only.
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "millrace/broker/broker_config.h"
#include "millrace/broker/flusher.h"
#include "millrace/broker/partition.h"
#include "millrace/broker/raft_transport.h"
#include "millrace/broker/topic_registry.h"
#include "millrace/protocol/result.h"
#include "millrace/storage/bounded_file_system.h"

namespace millrace::broker {

struct TopicSpecInput {
  std::string name;
  int32_t partitions = 0;  // 0: the broker default
  TopicConfigOverrides configs;
};

struct PartitionState {
  PartitionId id;
  std::vector<int32_t> replicas;           // cluster mode: the assigned replicas
  int32_t leader = -1;                     // cluster mode: as this node knows it (-1: unknown)
  std::vector<int32_t> in_sync_replicas;   // cluster mode: known only on the leader
  std::vector<int32_t> adding_replicas;    // a reassignment in progress: replicas joining
  std::vector<int32_t> removing_replicas;  // a reassignment in progress: replicas leaving
  std::optional<Error> error;              // the partition could not be opened; the offsets below are then -1
  std::optional<Error> write_error;        // open and readable, but refusing writes (a failed fsync)
  Offset log_start_offset;
  Offset log_end_offset;
  Offset high_watermark;
  int64_t size_bytes = 0;
  int32_t segment_count = 0;
};

struct TopicState {
  std::string name;
  std::vector<PartitionState> partitions;
  std::vector<TopicConfigEntry> configs;
};

constexpr int32_t kMaxPartitionsPerTopic = 100'000;
constexpr int kPreferredLeaderHoldChecks = 5;

class PartitionManager {
 public:
  PartitionManager(const BrokerConfig& config, storage::KvStore& store, Flusher& flusher);

  // Opens every topic the registry knows. A partition that fails to open is reported and skipped.
  Status open_existing();

  Status create_topic(const TopicSpecInput& spec);
  Status delete_topic(std::string_view name);
  // Raises a topic's partition count to `total` (one node; the controller does it in a cluster).
  Status add_partitions(std::string_view name, int32_t total);
  std::vector<TopicRecord> list_topics() const;
  Result<TopicState> describe_topic(std::string_view name) const;
  // Overrides the keys in `set`, drops the overrides in `remove`, validates the result, persists it and
  // applies it to the live partitions. With `validate_only`, only checks.
  Status alter_topic_config(std::string_view name, const TopicConfigOverrides& set,
                            const std::vector<std::string>& remove, bool validate_only);

  Result<std::shared_ptr<Partition>> partition(std::string_view topic, int32_t partition) const;

  // Validates `batches` (sizes, CRC, record counts, no control batches from clients) against the topic's
  // max.message.bytes and appends them. `done` runs when the acks level is met.
  void produce(std::string_view topic, int32_t partition, MutableByteView batches, int32_t acks,
               Partition::AppendCallback done);

  // ListOffsets: -2 earliest, -1 latest, otherwise the earliest offset whose record timestamp is at least
  // `timestamp` (ms since the epoch), or the high watermark if every record is older.
  Result<Offset> list_offset(std::string_view topic, int32_t partition, int64_t timestamp) const;

  // Shutdown has begun: waiting fetches are answered now with what there is, and new ones do not wait.
  void begin_shutdown();
  bool shutting_down() const { return shutting_down_; }

  // Runs segment.ms rolling and retention on every partition, as of `now_ms`.
  void enforce_retention(int64_t now_ms);

  // Starts an fsync of every partition with unflushed data (interval policy).
  void flush_all();
  // Durable acks still waiting on an fsync, over all partitions.
  size_t pending_durable_acks() const;
  // Closes every partition log cleanly (flush + marker). Returns the first error.
  Status close_all();

  const BrokerConfig& config() const { return config_; }

  // --- Cluster mode (partition_manager_cluster.cc) ---
  // From now on partitions assigned to this node are Raft replicas whose messages go through `transport`.
  void enable_cluster(RaftTransport& transport, storage::KvStore& store);
  bool cluster_mode() const { return transport_ != nullptr; }
  // The controller's committed commands, applied on every node. Replaying one already applied is a no-op.
  Status apply_create_topic(const TopicRecord& record);
  Status apply_delete_topic(const std::string& name);
  Status apply_topic_config(const std::string& name, const TopicConfigOverrides& configs);
  Status apply_add_partitions(const std::string& name, const std::vector<std::vector<int32_t>>& added);
  bool has_topic(std::string_view name) const { return topics_.count(name) > 0; }
  std::optional<TopicRecord> topic_record(std::string_view name) const;
  // Checks a spec as create_topic would, without creating anything.
  Status validate_new_topic(const TopicSpecInput& spec) const;
  // Delivers a Raft message to the local replica of its group (dropped if there is none yet).
  void step(const RaftGroupId& group, const replication::Message& message);
  // Hands leadership of a local partition this node leads to `target` (another voter of its group).
  Status transfer_leadership(std::string_view topic, int32_t partition, NodeId target);
  // The partitions this node leads, as leader hints for its peers.
  std::vector<LeaderHint> leader_hints() const;
  // Remembers what a peer says it leads (newer terms win); used for partitions with no replica here.
  void note_leader_hint(const LeaderHint& hint);
  // Preferred leaders (Kafka's auto leader rebalance): a partition this node has led for
  // kPreferredLeaderHoldChecks calls in a row, whose first assigned replica is another node that is in sync,
  // is handed to that replica, so leadership spreads as the assignment intended. Called about once a second.
  void rebalance_leaders();
  // One Raft tick for every local replica.
  void tick_replicas();

  // --- Reassignment (partition_manager_reassign.cc; docs/replication.md, "Reassignment") ---
  // Records the target replica set of a partition (persisted); a node in the target without a replica opens
  // one, as a new member with an empty log.
  // `created_ms`: when the controller accepted it; a node whose data directory is newer does not join (it
  // may have been a member before its data was lost).
  Status apply_reassign_partition(const std::string& topic, int32_t partition,
                                  const std::vector<int32_t>& target, int64_t created_ms);
  // The group reached `replicas`: the assignment becomes it; a node outside it deletes its copy.
  Status apply_complete_reassignment(const std::string& topic, int32_t partition,
                                     const std::vector<int32_t>& replicas);
  // Partitions being reassigned, with their target replica sets.
  const std::map<RaftGroupId, std::vector<int32_t>>& reassignments() const { return reassignments_; }
  // A partition's group configuration as known here, if it is committed: from the local replica if it
  // leads, else from its leader's hints.
  std::optional<replication::Configuration> committed_configuration(const RaftGroupId& group) const;
  // For each partition this node leads that is being reassigned, the next membership change toward the
  // target (called every Raft tick).
  void drive_reassignments();

 private:
  struct Topic {
    TopicRecord record;
    std::vector<std::shared_ptr<Partition>> partitions;  // nullptr where the partition failed to open
    std::map<int32_t, Error> failures;                   // why, for those partitions
  };

  // Opens every partition of `record`; those that fail are nullptr in the result, with the reason.
  Topic open_partitions(TopicRecord record);
  // Opens one partition of `record` as a Raft replica when `record` has assignments (cluster mode).
  std::shared_ptr<Partition> open_partition(const TopicRecord& record, int32_t p,
                                            const EffectiveTopicConfig& effective, Topic& topic);
  // Runs `f` on every open partition.
  template <class F>
  void for_each_partition(F&& f) const {
    for (const auto& [name, topic] : topics_) {
      for (const auto& p : topic.partitions) {
        if (p) f(*p);
      }
    }
  }
  std::filesystem::path partition_dir(const std::string& topic, int32_t partition) const;
  // Reassignment: loads the targets and this node's data directory's birth (enable_cluster).
  void load_reassignment_state();
  // A replica this node is assigned whose data it cannot have (its data directory is newer than the topic
  // and it holds no Raft state for the group): it must rejoin through a reassignment.
  // `since_ms`: when the replica was assigned here (the topic's creation, or the reassignment's).
  bool must_rejoin(const RaftGroupId& group, int64_t since_ms) const;
  bool joining(const std::string& topic, int32_t partition) const;
  void forget_reassignments(const std::string& topic);
  storage::LogConfig log_config(const EffectiveTopicConfig& effective) const;

  const BrokerConfig& config_;
  TopicRegistry registry_;
  Flusher& flusher_;
  std::map<std::string, Topic, std::less<>> topics_;
  bool shutting_down_ = false;
  RaftTransport* transport_ = nullptr;
  std::map<RaftGroupId, std::pair<int32_t, NodeId>> hinted_leaders_;  // group -> (term, leader)
  std::map<RaftGroupId, int> led_checks_;  // consecutive rebalance_leaders() calls a partition was led here
  storage::KvStore* store_ = nullptr;
  // Every partition's files go through it, so the node's descriptors stay bounded (max_open_files).
  std::shared_ptr<storage::BoundedFileSystem> file_system_;
  std::map<RaftGroupId, std::vector<int32_t>> reassignments_;  // group -> target
  std::map<RaftGroupId, int64_t> reassignment_created_ms_;
  std::map<RaftGroupId, replication::Configuration> hinted_configurations_;   // committed, from hints
  std::map<RaftGroupId, std::chrono::steady_clock::time_point> handed_over_;  // last leadership hand-over
  int64_t data_dir_created_ms_ = 0;  // 0: older than any topic (or unknown)
};

}  // namespace millrace::broker
