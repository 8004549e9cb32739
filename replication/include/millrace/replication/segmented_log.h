#pragma once
// SegmentedLog: the RaftLog over a partition's segmented log on disk (storage::PartitionLog), per the design
// brief's decision 4: one record batch is one entry, the entry's term is the batch's partition-leader-epoch,
// positions are Kafka offsets, and Raft's own entries (term no-ops, configurations) are control batches.
//
// open() walks every batch header once to learn where each term begins and where the configurations are
// (O(log size); a later change can checkpoint both in the node's KvStore). After that term_at() and
// term_first_offset() are in-memory lookups; read() reads whole batches from the segments.
//
// Truncations map to storage: truncate_suffix -> PartitionLog::truncate_to, reset ->
// PartitionLog::truncate_fully. truncate_prefix only moves the logical start (physical deletion is storage
// retention's job, not built yet); the broker must persist start() and pass it to open().
//
// Flushing stays with the driver: prepare_flush() on the owner thread, FlushJob::run() anywhere,
// complete_flush(job) on the owner thread, then RaftNode::on_flushed(flushed_offset()).
// Ownership: borrows the PartitionLog, which must outlive it. Not thread-safe (the partition's owner).
#include <memory>
#include <optional>
#include <vector>

#include "millrace/replication/raft_log.h"
#include "millrace/replication/term_index.h"
#include "millrace/storage/partition_log.h"

namespace millrace::replication {

class SegmentedLog final : public RaftLog {
 public:
  // `start`: where the Raft log begins, as persisted by the broker; required unless the partition log
  // begins at offset 0. Batches written without an epoch (-1) read as term 0.
  static Result<std::unique_ptr<SegmentedLog>> open(storage::PartitionLog& log,
                                                    std::optional<LogStart> start);

  LogStart start() const override { return start_; }
  Offset end_offset() const override { return log_.log_end_offset(); }
  Offset flushed_offset() const override;
  Term term_at(Offset offset) const override;
  Offset term_first_offset(Offset offset) const override;
  Result<std::vector<Entry>> read(Offset from, size_t max_bytes) const override;
  std::vector<Entry> configuration_entries() const override { return configurations_; }

  Status append(const std::vector<Entry>& entries) override;
  Status truncate_suffix(Offset end) override;
  Status truncate_prefix(const LogStart& start) override;
  Status reset(const LogStart& start) override;

  storage::FlushJob prepare_flush() { return log_.prepare_flush(); }
  // Records a FlushJob that ran; ignored if a truncation happened after it was prepared.
  void complete_flush(const storage::FlushJob& job) { log_.mark_flushed(job); }
  storage::PartitionLog& partition_log() { return log_; }

 private:
  SegmentedLog(storage::PartitionLog& log, LogStart start);
  Status scan();
  void remember(const Entry& entry);

  storage::PartitionLog& log_;
  LogStart start_;
  TermIndex terms_;
  std::vector<Entry> configurations_;  // configuration entries at or after start_, ascending
};

}  // namespace millrace::replication
