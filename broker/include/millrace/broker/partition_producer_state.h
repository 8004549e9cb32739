#pragma once
// PartitionProducerState: the idempotent-producer state of one partition on its leader — the
// ProducerStateTable, kept in step with the log: judged before an append, updated after it, rebuilt from
// the log's batch headers on open (from the newest usable snapshot, or from the log start), snapshotted
// periodically, and expired for producers idle past producer_id_expiration_ms.
//
// Snapshots never make the state wrong, only the rebuild shorter: one above the log end (the log was
// truncated below it) is removed, a corrupt one is skipped for an older one or a full replay.
//
// Thread-safety: the partition's owner thread only. Snapshots are small (a few dozen bytes per producer) and
// written rarely (every retention check, on close), on that thread.
#include <filesystem>

#include "millrace/broker/producer_state_table.h"
#include "millrace/protocol/bytes.h"
#include "millrace/protocol/result.h"
#include "millrace/storage/partition_log.h"

namespace millrace::broker {

class PartitionProducerState {
 public:
  PartitionProducerState(std::filesystem::path dir, int64_t expiration_ms)
      : dir_(std::move(dir)), expiration_ms_(expiration_ms) {}

  // Rebuilds the table for `log` (see above). Errors: the log could not be read.
  Status load(const storage::PartitionLog& log);
  // Judges validated `batches` before they are appended. An idempotent batch must be the only batch of its
  // partition in a request (invalid_record otherwise), as in Kafka's produce v3+.
  Result<SequenceCheck> check(ByteView batches) const;
  // Remembers `batches` after the log appended them (their base offsets are the assigned ones).
  void record(ByteView batches);
  // Forgets producers idle for expiration_ms as of now_ms.
  void expire(int64_t now_ms);
  // Writes a snapshot at the log end if anything changed since the last one, then removes all but the
  // newest kSnapshotsRetained.
  Status snapshot(const storage::PartitionLog& log);
  // The log was truncated (a Raft follower dropping a divergent suffix): drops snapshots above its new end
  // and rebuilds.
  Status truncated(const storage::PartitionLog& log);

  const ProducerStateTable& table() const { return table_; }

 private:
  // Replays the batch headers of `log` in [from, log end).
  Status replay(const storage::PartitionLog& log, Offset from);

  std::filesystem::path dir_;
  int64_t expiration_ms_;
  ProducerStateTable table_;
  bool changed_since_snapshot_ = false;
};

}  // namespace millrace::broker
