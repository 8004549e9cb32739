#pragma once
// Admin: topic and cluster administration.
//
// Contract:
//  - Thread-safe: calls may come from several threads; each is one synchronous request/response (or a few),
//    bounded by connection.request_timeout_ms.
//  - Results carry Kafka error codes from the broker (TOPIC_ALREADY_EXISTS, UNKNOWN_TOPIC_OR_PARTITION,
//    INVALID_PARTITIONS, INVALID_CONFIG, ...) with the broker's message, or NETWORK_EXCEPTION /
//    REQUEST_TIMED_OUT when the broker could not be reached. Admin calls are not retried.
//  - Topic changes go to the controller named by the metadata (any broker until it is known).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "millrace/client/admin_types.h"
#include "millrace/client/connection_config.h"
#include "millrace/client/topic_partition.h"
#include "millrace/protocol/result.h"

namespace millrace::client {

class Admin {
 public:
  // Validates the config and starts the I/O thread. Connects lazily, on the first call.
  static Result<std::unique_ptr<Admin>> create(ConnectionConfig config);
  ~Admin();
  Admin(const Admin&) = delete;
  Admin& operator=(const Admin&) = delete;

  Status create_topic(const NewTopic& topic);
  Status create_topic(const std::string& name, int32_t partitions,
                      const std::map<std::string, std::string>& configs = {});
  Status delete_topic(const std::string& name);
  // Overrides the configs in `set` and drops the overrides named in `remove` (they fall back to the broker
  // defaults); other overrides are kept. Refused whole (INVALID_CONFIG) if any key or value is bad.
  Status alter_topic_config(const std::string& name, const std::map<std::string, std::string>& set,
                            const std::vector<std::string>& remove = {});
  // Raises a topic's partition count to `total_partitions` (INVALID_PARTITIONS unless it is larger).
  Status add_partitions(const std::string& name, int32_t total_partitions);
  // Asks the leader of topic-partition to hand leadership to `target` (a cluster; another replica). Returns
  // once the leader has started the transfer; the new leader shows in metadata after its election.
  Status transfer_leadership(const std::string& topic, int32_t partition, NodeId target);
  // Moves topic-partition's replicas to `replicas` (a cluster; the first is the preferred leader), online:
  // the partition's Raft group adds each new replica as a learner, promotes it once caught up, then removes
  // the replicas that leave. Returns once the controller recorded the target; describe_topic shows the
  // progress (adding/removing replicas) until the assignment is `replicas`. Errors:
  // UNKNOWN_TOPIC_OR_PARTITION, INVALID_REPLICA_ASSIGNMENT (empty, duplicate or unknown broker ids),
  // REASSIGNMENT_IN_PROGRESS.
  Status reassign_partition(const std::string& topic, int32_t partition, const std::vector<NodeId>& replicas);
  Result<std::vector<TopicListing>> list_topics();
  Result<TopicDescription> describe_topic(const std::string& name);
  // Fails with the first topic's error if any topic cannot be described (the message names it).
  Result<std::vector<TopicDescription>> describe_topics(const std::vector<std::string>& names);
  // The brokers and controller, from a metadata request.
  Result<ClusterInfo> cluster_info();
  // The earliest or latest offset of each partition, asked of each partition's leader.
  Result<std::map<TopicPartition, Offset>> list_offsets(const std::vector<TopicPartition>& partitions,
                                                        OffsetSpec spec);
  // The same for every partition of `topic`.
  Result<std::map<TopicPartition, Offset>> list_offsets(const std::string& topic, OffsetSpec spec);
  // Per partition of `topic`, the earliest offset whose record timestamp is at least `timestamp_ms` (ms since
  // the epoch), or the partition's end offset if every record is older.
  Result<std::map<TopicPartition, Offset>> list_offsets_for_timestamp(const std::string& topic,
                                                                      int64_t timestamp_ms);

  class Impl;

 private:
  explicit Admin(std::unique_ptr<Impl> impl);
  Result<std::vector<TopicPartition>> partitions_of(const std::string& topic);
  std::unique_ptr<Impl> impl_;
};

}  // namespace millrace::client
