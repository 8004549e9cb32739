#pragma once
// Broker-wide settings: every key of config/millrace.yaml, with its default. Units are last in names.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace millrace::broker {

enum class FlushPolicy {
  always,    // acks=all is answered only after its batch is fsynced (group commit); acks=0/1 batches are
             // fsynced by the next group commit, once 1 MiB is unsynced, or within flush_interval_ms
  interval,  // fsync every flush_interval_ms; acks=all is answered once written to the page cache
};

struct HostPort {
  std::string host;
  uint16_t port = 0;
  std::string to_string() const { return host + ":" + std::to_string(port); }
};

// One initial controller voter: its node id and the address other brokers reach it at.
struct PeerAddress {
  int32_t node_id = 0;
  HostPort address;
};

struct BrokerConfig {
  int32_t node_id = 0;
  std::filesystem::path data_dir = "./data";
  HostPort listen{"0.0.0.0", 9192};
  HostPort advertise{};  // empty host: derived from listen (the machine's host name for 0.0.0.0)
  // Cluster: the initial controller voters. Empty: a one-node cluster. A node not among them joins as a
  // broker: it registers with the controller, which makes it a learner of the controller group.
  std::vector<PeerAddress> peers;
  // This broker's rack (availability zone); empty: none. Replicas of a partition spread across racks.
  std::string rack;
  // Brokers heartbeat the controller leader every broker_heartbeat_interval_ms; one that it has not heard
  // from for broker_session_timeout_ms is fenced (Kafka's defaults: 2 s and 9 s).
  int64_t broker_heartbeat_interval_ms = 2000;
  int64_t broker_session_timeout_ms = 9000;
  // Raft timing (cluster mode). A follower campaigns after a random wait in [election_timeout_ms,
  // 2 * election_timeout_ms) without hearing from its leader; leaders send heartbeats every
  // heartbeat_interval_ms. Both are counted in ticks of raft_tick_ms.
  int64_t raft_tick_ms = 50;
  int64_t election_timeout_ms = 600;
  int64_t heartbeat_interval_ms = 100;

  // Native protocol limits.
  uint32_t max_frame_bytes = 100u * 1024 * 1024;
  int32_t max_in_flight_requests_per_connection = 100;
  int32_t max_connections = 10000;

  // Durability.
  FlushPolicy flush = FlushPolicy::always;
  int64_t flush_interval_ms = 1000;
  // Synced log data kept in the page cache, most recent first; older synced data is dropped from it
  // (storage::PageCacheWindow). 0: the kernel decides.
  int64_t page_cache_window_bytes = 1024LL * 1024 * 1024;

  // Topic defaults (overridable per topic with Kafka's names, see TopicConfig).
  int32_t default_partitions = 1;
  int64_t segment_bytes = 1024LL * 1024 * 1024;
  int64_t max_message_bytes = 1024 * 1024 + 12;  // largest record batch accepted (Kafka's message.max.bytes)
  int64_t index_interval_bytes = 4096;
  int64_t segment_ms = 7LL * 24 * 3600 * 1000;    // roll a segment this old even if not full
  int64_t retention_ms = 7LL * 24 * 3600 * 1000;  // delete closed segments older than this; -1: forever
  int64_t retention_bytes = -1;                   // per partition; -1: no size limit
  std::string cleanup_policy = "delete";          // delete | compact | compact,delete
  int64_t delete_retention_ms = 24LL * 3600 * 1000;
  int32_t min_insync_replicas = 1;
  int64_t retention_check_interval_ms = 5 * 60 * 1000;  // how often retention runs

  // Log compaction (cleanup.policy compact): one cleaner thread for the node.
  int64_t cleaner_interval_ms = 15 * 1000;             // how often the cleaner looks for partitions to clean
  int32_t cleaner_min_dirty_percent = 50;              // clean when this much of the closed log is uncleaned
  int64_t cleaner_key_map_bytes = 64LL * 1024 * 1024;  // memory for one pass's key map (24 bytes a key)
  int64_t cleaner_io_bytes_per_second = -1;            // read throttle of the cleaner; -1: unlimited
  // Idempotent producers: a partition forgets a producer whose last batch is this old (Kafka's
  // producer.id.expiration.ms). Producer state is snapshotted every retention_check_interval_ms.
  int64_t producer_id_expiration_ms = 24LL * 3600 * 1000;

  // Descriptors the node keeps open for segment and index files at most (beyond it, idle files are closed and
  // reopened on use; files with unsynced writes stay open). 0: half of the process's open-file limit, which
  // the daemon raises to its hard limit at start.
  int64_t max_open_files = 0;

  int64_t shutdown_timeout_ms = 10000;
  std::string log_level = "info";
};

}  // namespace millrace::broker
