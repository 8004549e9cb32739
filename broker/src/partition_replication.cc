// Partition's replicated mode: appends go through the partition's Raft group (design brief, decision 4).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "millrace/broker/partition.h"
#include "millrace/protocol/errc.h"
#include "millrace/protocol/list_offsets.h"
#include "millrace/protocol/record_batch.h"

namespace millrace::broker {

using protocol::errc;

namespace {

Error not_leader(const RaftReplica& replica) {
  const auto leader = replica.node().leader();
  return make_error(errc::not_leader_or_follower,
                    replica.group().to_string() + ": this node is not the leader" +
                        (leader ? " (the leader is node " + std::to_string(leader->value) + ")"
                                : " (no leader is elected yet)"));
}

}  // namespace

Status Partition::start_replication(const RaftGroupId& group, storage::KvStore& store,
                                    RaftTransport& transport, const BrokerConfig& config,
                                    const std::vector<NodeId>& voters) {
  RaftReplica::Hooks hooks;
  hooks.log_changed = [this] {
    if (policy_ == FlushPolicy::always) request_flush();
  };
  hooks.truncated = [this](Offset new_end) {
    // The producer state must forget batches the log no longer has.
    if (Status st = producers_.truncated(*log_); !st) {
      spdlog::error("{}-{}: producer state not rebuilt after a truncation: {}", topic_, id_.value,
                    st.error().to_string());
    }
    fail_waiters_from(new_end, make_error(errc::not_leader_or_follower,
                                          topic_ + "-" + std::to_string(id_.value) +
                                              ": the write was overwritten by a new leader; retry"));
  };
  hooks.committed = [this](Offset commit_end) {
    complete_durable_waiters();
    wake_data_waiters();
    if (commit_listener_) commit_listener_(commit_end);
  };
  hooks.leadership = [this](const replication::LeadershipChange& change) {
    spdlog::info("{}-{}: {} in term {} (leader: {})", topic_, id_.value, replication::role_name(change.role),
                 change.term.value, change.leader ? std::to_string(change.leader->value) : "none");
    if (change.role == replication::Role::leader) {
      // Followers do not track producers as they append; a new leader rebuilds from the log.
      if (Status st = producers_.load(*log_); !st) {
        spdlog::error("{}-{}: producer state not rebuilt: {}", topic_, id_.value, st.error().to_string());
      }
    }
    if (change.role != replication::Role::leader && !durable_waiters_.empty()) {
      // Whether these entries commit is now up to the new leader; the producer retries.
      fail_waiters_from(Offset{0}, not_leader(*replica_));
    }
  };
  auto replica = RaftReplica::open(group, *log_, store, transport, config, voters, std::move(hooks));
  if (!replica) return std::move(replica).error();
  replica_ = std::move(*replica);
  return {};
}

void Partition::append_replicated(MutableByteView batches, int32_t acks, AppendCallback done) {
  if (replica_->failed()) {
    done(make_error(errc::kafka_storage_error, replica_->group().to_string() + " has failed on this node"));
    return;
  }
  if (!replica_->node().is_leader()) {
    done(not_leader(*replica_));
    return;
  }
  if (acks == protocol::kAcksAll &&
      static_cast<int64_t>(replica_->in_sync_replicas().size()) < config_.min_insync_replicas) {
    done(make_error(errc::not_enough_replicas, topic_ + "-" + std::to_string(id_.value) + ": " +
                                                   std::to_string(replica_->in_sync_replicas().size()) +
                                                   " in-sync replicas, fewer than min.insync.replicas=" +
                                                   std::to_string(config_.min_insync_replicas)));
    return;
  }
  // One batch is one Raft entry.
  std::optional<storage::AppendResult> result;
  size_t pos = 0;
  while (pos < batches.size()) {
    const auto header = protocol::read_batch_header(batches.subspan(pos));
    const auto size = static_cast<size_t>(header.size_bytes());
    Buffer batch(batches.begin() + static_cast<std::ptrdiff_t>(pos),
                 batches.begin() + static_cast<std::ptrdiff_t>(pos + size));
    pos += size;
    const int32_t last_delta = header.last_offset_delta;
    auto base = replica_->propose(std::move(batch));
    if (!base) {
      const Error& e = base.error();
      done(e.code.category() == protocol::protocol_category()
               ? e
               : make_error(errc::not_leader_or_follower,
                            replica_->group().to_string() + ": cannot append: " + e.message));
      return;
    }
    if (!result) result = storage::AppendResult{*base, *base};
    result->last_offset = Offset{base->value + last_delta};
    // The request's copy learns its offset too, so the producer state records where the batch went.
    MutableByteView mine = batches.subspan(pos - size, size);
    protocol::set_base_offset(mine, base->value);
    producers_.record(mine);
  }
  if (!result) {
    done(make_error(errc::invalid_record, "no batches"));
    return;
  }
  if (acks != protocol::kAcksAll) {
    done(*result);
    return;
  }
  durable_waiters_.push_back({next(result->last_offset), *result, std::move(done)});
  complete_durable_waiters();
}

Offset Partition::high_watermark() const {
  if (!replica_) return log_->log_end_offset();
  return std::min(replica_->node().commit_end(), log_->log_end_offset());
}

Offset Partition::acknowledged_end() const {
  if (!replica_) return log_->flushed_offset();
  // Committed means durable on a majority. min.insync.replicas may ask for more copies than that.
  Offset end = high_watermark();
  if (config_.min_insync_replicas > 1) {
    end = std::min(end, replica_->durable_on(static_cast<size_t>(config_.min_insync_replicas)));
  }
  return end;
}

void Partition::replica_step(const replication::Message& message) {
  replica_->step(message);
  if (!durable_waiters_.empty()) complete_durable_waiters();
}

void Partition::replica_tick() {
  replica_->tick();
  if (durable_waiters_.empty()) return;
  complete_durable_waiters();
  // Writes waiting for min.insync.replicas copies while fewer replicas are in sync would wait forever:
  // refuse them, as the append-time check would have. They may still commit; an idempotent producer's
  // retry is then answered as a duplicate.
  const auto in_sync = replica_->in_sync_replicas().size();
  if (!durable_waiters_.empty() && replica_->node().is_leader() &&
      static_cast<int64_t>(in_sync) < config_.min_insync_replicas) {
    fail_waiters_from(
        Offset{0}, make_error(errc::not_enough_replicas, topic_ + "-" + std::to_string(id_.value) + ": " +
                                                             std::to_string(in_sync) +
                                                             " in-sync replicas after the append, fewer than "
                                                             "min.insync.replicas=" +
                                                             std::to_string(config_.min_insync_replicas)));
  }
}

void Partition::fail_waiters_from(Offset end, const Error& error) {
  std::deque<DurableWaiter> keep;
  std::deque<DurableWaiter> failed;
  for (auto& w : durable_waiters_) {
    // A waiter's batch ends just below its target; it is lost if it reaches `end` or beyond.
    (w.target > end ? failed : keep).push_back(std::move(w));
  }
  durable_waiters_.swap(keep);
  for (auto& w : failed) w.done(error);
}

}  // namespace millrace::broker
