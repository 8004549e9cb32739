#include "millrace/broker/partition.h"

#include <spdlog/spdlog.h>

#include "millrace/protocol/errc.h"
#include "millrace/protocol/list_offsets.h"
#include "millrace/storage/errc.h"

namespace millrace::broker {

using protocol::errc;

Error to_client_error(const Error& error) {
  if (error.code.category() == protocol::protocol_category()) return error;
  if (error.code == storage::errc::offset_out_of_range) {
    return make_error(errc::offset_out_of_range, error.message);
  }
  return make_error(errc::kafka_storage_error, error.to_string());
}

Partition::Partition(std::string topic, PartitionId id, std::unique_ptr<storage::PartitionLog> log,
                     EffectiveTopicConfig config, FlushPolicy policy, Flusher& flusher,
                     int64_t producer_id_expiration_ms)
    : topic_(std::move(topic)),
      id_(id),
      log_(std::move(log)),
      config_(config),
      policy_(policy),
      flusher_(flusher),
      producers_(log_->directory(), producer_id_expiration_ms) {
  if (Status st = producers_.load(*log_); !st) {
    write_failure_ =
        make_error(errc::kafka_storage_error, topic_ + "-" + std::to_string(id_.value) +
                                                  " refuses writes: its producer state could not "
                                                  "be rebuilt (" +
                                                  st.error().to_string() + ")");
    spdlog::error("{}", write_failure_->message);
  }
}

void Partition::set_config(const EffectiveTopicConfig& config, const storage::LogConfig& log_config) {
  config_ = config;
  if (Status st = log_->set_config(log_config); !st) {
    spdlog::error("{}-{}: config not applied to the log: {}", topic_, id_.value, st.error().to_string());
  }
}

void Partition::enforce_retention(int64_t now_ms) {
  if (closed_) return;
  if (Status st = log_->roll_if_older(now_ms, config_.segment_ms); !st) {
    spdlog::error("{}-{}: segment.ms roll failed: {}", topic_, id_.value, st.error().to_string());
  }
  if (config_.cleanup_policy == CleanupPolicy::compact) return;  // compaction only: no deletion by age/size
  const Offset delete_below = replica_ ? high_watermark() : Offset{INT64_MAX};
  auto deleted = log_->apply_retention(now_ms, config_.retention_ms, config_.retention_bytes, delete_below);
  if (!deleted) {
    spdlog::error("{}-{}: retention failed: {}", topic_, id_.value, deleted.error().to_string());
  } else if (replica_ && deleted->segments_deleted > 0) {
    if (Status st = replica_->truncate_prefix(log_->log_start_offset()); !st) {
      spdlog::error("{}-{}: Raft log start not moved after retention: {}", topic_, id_.value,
                    st.error().to_string());
    }
  }
  producers_.expire(now_ms);
  if (Status st = producers_.snapshot(*log_); !st) {
    spdlog::warn("{}-{}: producer snapshot not written: {}", topic_, id_.value, st.error().to_string());
  }
}

std::optional<storage::CleaningJob> Partition::prepare_cleaning(storage::CleaningOptions options) {
  if (closed_ || write_failure_ || !compacted()) return std::nullopt;
  options.delete_retention_ms = config_.delete_retention_ms;
  options.clean_up_to = high_watermark();
  return log_->prepare_cleaning(options);
}

Result<storage::CleaningStats> Partition::finish_cleaning(storage::CleaningJob& job) {
  if (closed_) return make_error(errc::not_leader_or_follower, "partition closed during cleaning");
  return log_->finish_cleaning(job);
}

void Partition::append(MutableByteView batches, int32_t acks, AppendCallback done) {
  if (closed_) {
    done(make_error(errc::not_leader_or_follower, "partition is closing"));
    return;
  }
  if (write_failure_) {
    done(*write_failure_);
    return;
  }
  // ---- idempotent producers: check before the append, record after it ----
  auto sequence = producers_.check(batches);
  if (!sequence) {
    done(std::move(sequence).error());
    return;
  }
  if (sequence->duplicate) {
    answer_duplicate(*sequence->duplicate, acks, std::move(done));
    return;
  }
  if (replica_) {
    append_replicated(batches, acks, std::move(done));
    return;
  }
  auto appended = log_->append(batches);
  if (!appended) {
    done(to_client_error(appended.error()));
    return;
  }
  producers_.record(batches);
  // ---- end of the idempotence hook ----
  wake_data_waiters();
  const bool wait_durable = acks == protocol::kAcksAll && policy_ == FlushPolicy::always;
  // Only an acks=all produce under `always` waits for an fsync, so only it starts one at once; other batches
  // ride along with the next group commit, or start one once enough of them are unsynced (under both
  // policies: many small syncs instead of one large one per interval), or the interval flush picks them up
  // (docs/storage.md, "Durability policies").
  unsynced_bytes_ += batches.size();
  if (wait_durable || unsynced_bytes_ >= kUnsyncedBytesFlush) request_flush();
  if (!wait_durable) {
    done(*appended);
    return;
  }
  durable_waiters_.push_back({next(appended->last_offset), *appended, std::move(done)});
  complete_durable_waiters();
}

void Partition::answer_duplicate(const ProducerBatchRange& original, int32_t acks, AppendCallback done) {
  const storage::AppendResult result{original.first_offset, original.last_offset};
  const Offset target = next(original.last_offset);
  // The retry is answered as the original would have been: for acks=all, once that is durable (or
  // committed, when replicated).
  const bool wait = acks == protocol::kAcksAll && (replica_ || policy_ == FlushPolicy::always);
  if (!wait || acknowledged_end() >= target) {
    done(result);
    return;
  }
  durable_waiters_.push_back({target, result, std::move(done)});
  if (!replica_) request_flush();
}

Result<storage::ReadResult> Partition::read(Offset offset, size_t max_bytes) const {
  auto r = log_->read(offset, max_bytes, high_watermark());
  if (!r) return to_client_error(r.error());
  return r;
}

Result<storage::RangeReadResult> Partition::read_ranges(Offset offset, size_t max_bytes) const {
  auto r = log_->read_ranges(offset, max_bytes, high_watermark());
  if (!r) return to_client_error(r.error());
  return r;
}

void Partition::request_flush() {
  if (flush_in_flight_ || closed_ || write_failure_) return;
  storage::FlushJob job = log_->prepare_flush();
  if (job.empty()) return;
  flush_in_flight_ = true;
  unsynced_bytes_ = 0;
  storage::FlushJob record = job;  // mark_flushed(job) ignores it if a truncation came meanwhile
  flusher_.submit(std::move(job), [self = shared_from_this(), record = std::move(record)](Status status) {
    self->on_flushed(std::move(status), record);
  });
}

void Partition::on_flushed(Status status, const storage::FlushJob& job) {
  flush_in_flight_ = false;
  if (closed_) return;
  if (!status) {
    // After a failed fsync the kernel may already have dropped the dirty pages, so a later fsync that
    // succeeds proves nothing (the "fsyncgate" lesson). Stop taking writes; reads of what is there go on.
    write_failure_ =
        make_error(protocol::errc::kafka_storage_error,
                   topic_ + "-" + std::to_string(id_.value) + " refuses writes after a failed fsync (" +
                       status.error().to_string() + "); restart the broker to recover the partition");
    spdlog::error("{}", write_failure_->message);
    fail_durable_waiters(*write_failure_);
    return;
  }
  log_->mark_flushed(job);
  if (replica_) replica_->on_flushed(log_->flushed_offset());
  complete_durable_waiters();
  // Appends that arrived during this fsync form the next group, if anyone waits for them: acks=all producers
  // on one node; on a replica, the Raft commit, which needs every member's flushed offset.
  const bool waited_on = policy_ == FlushPolicy::always && (replica_ || !durable_waiters_.empty());
  if ((waited_on || unsynced_bytes_ >= kUnsyncedBytesFlush) &&
      log_->flushed_offset() < log_->log_end_offset())
    request_flush();
}

void Partition::complete_durable_waiters() {
  const Offset acknowledged = acknowledged_end();
  while (!durable_waiters_.empty() && durable_waiters_.front().target <= acknowledged) {
    auto waiter = std::move(durable_waiters_.front());
    durable_waiters_.pop_front();
    waiter.done(waiter.result);
  }
}

uint64_t Partition::add_data_waiter(DataWaiter waiter) {
  const uint64_t id = next_waiter_id_++;
  data_waiters_.emplace(id, std::move(waiter));
  return id;
}

void Partition::wake_data_waiters() {
  if (data_waiters_.empty()) return;
  std::map<uint64_t, DataWaiter> waiters;
  waiters.swap(data_waiters_);
  for (auto& [id, w] : waiters) w();
}

Status Partition::close() {
  if (closed_) return {};
  // After a failed fsync, no clean-shutdown marker: the next start must validate the log, not trust it.
  Status st = write_failure_ ? Status(*write_failure_) : log_->close();
  closed_ = true;
  if (st) {
    if (Status snap = producers_.snapshot(*log_); !snap) {
      spdlog::warn("{}-{}: producer snapshot not written: {}", topic_, id_.value, snap.error().to_string());
    }
  }
  if (st) {
    complete_durable_waiters();  // a clean close flushed everything
  } else {
    fail_durable_waiters(to_client_error(st.error()));
  }
  wake_data_waiters();
  return st;
}

void Partition::abandon(const Error& error) {
  closed_ = true;
  fail_durable_waiters(error);
  wake_data_waiters();
}

void Partition::fail_durable_waiters(const Error& error) {
  std::deque<DurableWaiter> waiters;
  waiters.swap(durable_waiters_);  // a callback may append or close; it sees an empty queue
  for (auto& w : waiters) w.done(error);
}

}  // namespace millrace::broker
