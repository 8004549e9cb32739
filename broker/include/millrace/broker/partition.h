#pragma once
// Partition: the single owner of one partition's log on this node. Appends, reads, durability waiters
// (acks=all under flush: always) and data waiters (long-poll fetches) all live here.
//
// Thread-safety: owned by the network thread; every method runs there. The only work done elsewhere is the
// fsync of a FlushJob on the Flusher thread, whose completion is posted back.
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "millrace/broker/broker_config.h"
#include "millrace/broker/flusher.h"
#include "millrace/broker/partition_producer_state.h"
#include "millrace/broker/raft_replica.h"
#include "millrace/broker/topic_config.h"
#include "millrace/protocol/result.h"
#include "millrace/protocol/strong_types.h"
#include "millrace/storage/partition_log.h"

namespace millrace::broker {

// On one node, batches nobody waits on (acks=0/1; every batch under flush: interval) start an fsync of their
// own once this many bytes of the partition are unsynced (before that, the next acks=all group commit or the
// interval flush covers them), like Redpanda's pending-flush-bytes bound: fsyncs stay large (each has a fixed
// CPU cost) but never pile up into one large sync per interval, and the data a power loss could take stays
// bounded.
constexpr size_t kUnsyncedBytesFlush = size_t{1} << 20;

class Partition : public std::enable_shared_from_this<Partition> {
 public:
  using AppendCallback = std::function<void(Result<storage::AppendResult>)>;
  using DataWaiter = std::function<void()>;

  // Rebuilds the idempotent-producer state from `log`; if that fails the partition refuses writes.
  Partition(std::string topic, PartitionId id, std::unique_ptr<storage::PartitionLog> log,
            EffectiveTopicConfig config, FlushPolicy policy, Flusher& flusher,
            int64_t producer_id_expiration_ms);

  const std::string& topic() const { return topic_; }
  PartitionId id() const { return id_; }
  const EffectiveTopicConfig& config() const { return config_; }
  // Applies an altered topic config: max.message.bytes, retention and segment.ms at once; segment.bytes from
  // the next append; index.interval.bytes from the next segment.
  void set_config(const EffectiveTopicConfig& config, const storage::LogConfig& log_config);

  // segment.ms rolling and retention.ms / retention.bytes deletion, as of `now_ms`; also expires idle
  // producers and snapshots the producer state. A replica deletes committed segments only (below its high
  // watermark) and moves its Raft log's start with them, so a follower that needs the deleted entries is
  // sent a snapshot (docs/replication.md).
  void enforce_retention(int64_t now_ms);
  const storage::PartitionLog& log() const { return *log_; }
  const PartitionProducerState& producers() const { return producers_; }

  // Appends validated batches. `done` runs once the append is acknowledged for `acks`: right away for
  // acks 0 and 1; for acks=all under flush: always, after the batch is fsynced. Errors are client-visible
  // (protocol errc). An idempotent batch is first checked against the producer state: a duplicate is not
  // written but answered with its original offsets (once those are durable, for acks=all); an out-of-order
  // or fenced one is refused.
  void append(MutableByteView batches, int32_t acks, AppendCallback done);

  // Reads whole batches from `offset` up to the high watermark.
  Result<storage::ReadResult> read(Offset offset, size_t max_bytes) const;
  // The same read as file ranges, for sending with sendfile (fetch).
  Result<storage::RangeReadResult> read_ranges(Offset offset, size_t max_bytes) const;

  // Consumers may read below this. One node: everything appended; replicated: the Raft commit index.
  Offset high_watermark() const;

  // --- Replication (cluster mode) ---
  // Makes this partition one replica of a Raft group with the initial `voters`: appends then go through
  // the group (leader only), acks=all waits for commit, and reads stop at the commit index.
  Status start_replication(const RaftGroupId& group, storage::KvStore& store, RaftTransport& transport,
                           const BrokerConfig& config, const std::vector<NodeId>& voters);
  const RaftReplica* replica() const { return replica_.get(); }
  // Both also settle acks=all waiters: a follower's durable report or a replica dropping out of sync can
  // decide them without the commit index moving (min.insync.replicas above a majority).
  void replica_step(const replication::Message& message);
  void replica_tick();
  Status transfer_leadership(NodeId target) { return replica_->transfer_leadership(target); }
  // One membership change of the partition's group (leader only): reassignment drives these.
  Result<Offset> change_configuration(const replication::ConfigChange& change) {
    return replica_->change_configuration(change);
  }
  void erase_replica_state() { replica_->erase_state(); }
  // Runs after the commit index rises (the controller applies its commands here).
  void set_commit_listener(std::function<void(Offset commit_end)> listener) {
    commit_listener_ = std::move(listener);
  }

  // Registers a one-shot callback run after the next append (long-poll fetch). Returns an id for
  // remove_data_waiter(), which a fetch that completes some other way must call.
  uint64_t add_data_waiter(DataWaiter waiter);
  void remove_data_waiter(uint64_t id) { data_waiters_.erase(id); }
  // Runs every data waiter now (shutdown: long-polls answer with what there is).
  void wake_data_waiters();

  // Asks for an fsync of everything appended (the interval timer, under both policies).
  void flush_now() { request_flush(); }
  // Whether an fsync of this partition is queued or running.
  bool flush_in_flight() const { return flush_in_flight_; }

  // Set once an fsync failed: the partition refuses writes until the broker restarts (reads go on).
  const std::optional<Error>& write_failure() const { return write_failure_; }
  // Pending acknowledgements waiting on a flush.
  size_t pending_durable_acks() const { return durable_waiters_.size(); }

  // ---- Log compaction (LogCleanerService) ----
  bool compacted() const { return config_.cleanup_policy != CleanupPolicy::delete_segments; }
  // A cleaning pass of the closed segments below the high watermark, with this topic's delete.retention.ms;
  // nullopt if nothing is due (or the partition is closed or refuses writes).
  std::optional<storage::CleaningJob> prepare_cleaning(storage::CleaningOptions options);
  // Swaps in what `job` cleaned (after its run() returned), unless the partition has closed meanwhile.
  Result<storage::CleaningStats> finish_cleaning(storage::CleaningJob& job);

  // Flushes synchronously, writes the clean-shutdown marker, completes waiters. Owner thread.
  Status close();
  // Fails every waiter with `error` (topic deleted).
  void abandon(const Error& error);

 private:
  struct DurableWaiter {
    Offset target;  // durable once flushed_offset() >= target
    storage::AppendResult result;
    AppendCallback done;
  };

  void answer_duplicate(const ProducerBatchRange& original, int32_t acks, AppendCallback done);
  void request_flush();
  void on_flushed(Status status, const storage::FlushJob& job);
  void append_replicated(MutableByteView batches, int32_t acks, AppendCallback done);
  // acks=all waiters complete once this passes their target: the flushed offset on one node, the
  // commit index when replicated.
  Offset acknowledged_end() const;
  void fail_waiters_from(Offset end, const Error& error);
  void complete_durable_waiters();
  void fail_durable_waiters(const Error& error);

  std::string topic_;
  PartitionId id_;
  std::unique_ptr<storage::PartitionLog> log_;
  EffectiveTopicConfig config_;
  FlushPolicy policy_;
  Flusher& flusher_;
  PartitionProducerState producers_;
  bool flush_in_flight_ = false;
  size_t unsynced_bytes_ = 0;  // appended on one node since the last flush job was prepared
  bool closed_ = false;
  std::optional<Error> write_failure_;  // set by a failed fsync: appends are refused from then on
  std::deque<DurableWaiter> durable_waiters_;
  std::map<uint64_t, DataWaiter> data_waiters_;
  std::unique_ptr<RaftReplica> replica_;
  std::function<void(Offset)> commit_listener_;
  uint64_t next_waiter_id_ = 1;
};

// Maps a storage error to the client-visible code (offset out of range stays; the rest are storage errors).
Error to_client_error(const Error& storage_error);

}  // namespace millrace::broker
