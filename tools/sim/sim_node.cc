#include "sim_node.h"

#include <cstdio>

#include "sim_options.h"

namespace millrace::sim {

using replication::Message;
using replication::Ready;

namespace {
constexpr int64_t kMinFlushMs = 1;
constexpr int64_t kMaxFlushMs = 6;
constexpr int64_t kMinSlowFlushMs = 40;
constexpr int64_t kMaxSlowFlushMs = 400;
}  // namespace

SimNode::SimNode(int id, const replication::Configuration& bootstrap, SimContext context)
    : id_(id), bootstrap_(bootstrap), context_(context) {}

replication::RaftConfig SimNode::raft_config() const {
  replication::RaftConfig config;
  config.self = NodeId{id_};
  config.election_timeout_ticks = kElectionTimeoutTicks;
  config.heartbeat_interval_ticks = kHeartbeatIntervalTicks;
  config.max_inflight_appends = context_.tuning.max_inflight_appends;
  config.max_append_bytes = context_.tuning.max_append_bytes;
  config.max_entry_bytes = kMaxEntryBytes;
  config.max_inflight_bytes = kMaxInflightBytes;
  config.max_uncommitted_bytes = kMaxUncommittedBytes;
  config.random_seed = context_.prng.next();
  return config;
}

void SimNode::start() {
  if (live()) return;
  ++incarnation_;
  auto hard_state = hard_state_store_.load();
  raft_ = std::make_unique<replication::RaftNode>(raft_config(), log_, *hard_state, bootstrap_);
  context_.checker.on_restart(id_);
  context_.trace.add(static_cast<uint64_t>(1000 + id_));
  const uint64_t incarnation = incarnation_;
  context_.queue.schedule_after(context_.prng.uniform(1, kTickMs),
                                [this, incarnation] { tick(incarnation); });
  maybe_flush();  // what survived on disk but was never reported durable
}

void SimNode::crash() {
  if (!live()) return;
  raft_.reset();
  log_.crash();
  context_.checker.on_crash(id_, log_.flushed_offset());
  flush_in_flight_ = false;
  ++incarnation_;
  context_.trace.add(static_cast<uint64_t>(2000 + id_));
}

void SimNode::tick(uint64_t incarnation) {
  if (incarnation != incarnation_ || !live()) return;
  raft_->tick();
  process_ready();
  context_.queue.schedule_after(kTickMs, [this, incarnation] { tick(incarnation); });
}

void SimNode::deliver(const Message& message) {
  if (!live()) return;
  context_.trace.add(static_cast<uint64_t>(message.from.value * 16 + message.to.value));
  context_.trace.add(message.type_name());
  context_.trace.add(static_cast<uint64_t>(message.term().value));
  raft_->step(message);
  process_ready();
}

Result<Offset> SimNode::propose(Buffer batch) {
  auto offset = raft_->propose(std::move(batch));
  process_ready();
  return offset;
}

Result<Offset> SimNode::propose_configuration_change(const replication::ConfigChange& change) {
  auto offset = raft_->propose_configuration_change(change);
  process_ready();
  return offset;
}

Status SimNode::transfer_leadership(NodeId target) {
  Status status = raft_->transfer_leadership(target);
  process_ready();
  return status;
}

Status SimNode::truncate_prefix(Offset offset) {
  Status status = raft_->truncate_prefix(offset);
  process_ready();
  return status;
}

// Carries out a Ready in the order ready.h prescribes, checking the invariants as it goes.
void SimNode::process_ready() {
  InvariantChecker& checker = context_.checker;
  while (live() && raft_->has_ready()) {
    Ready ready = raft_->take_ready();
    if (ready.hard_state) {
      const replication::HardState previous = *hard_state_store_.load();
      checker.on_hard_state(id_, previous, *ready.hard_state);
      (void)hard_state_store_.save(*ready.hard_state);
    }
    if (!ready.log_ops.empty()) {
      Status applied = replication::apply_log_ops(log_, ready.log_ops);
      if (!applied)
        std::fprintf(stderr, "node %d: log op failed: %s\n", id_, applied.error().to_string().c_str());
      checker.on_log_ops(id_, ready.log_ops);
    }
    for (Message& message : ready.messages) context_.network.send(std::move(message));
    if (ready.commit_end) checker.on_commit(id_, *ready.commit_end);
    if (ready.leadership) {
      context_.trace.add(static_cast<uint64_t>(3000 + id_));
      context_.trace.add(static_cast<uint64_t>(ready.leadership->term.value));
      if (ready.leadership->role == replication::Role::leader) checker.on_leader(id_, ready.leadership->term);
      if (context_.verbose) {
        std::printf("%10.3f s  node %d: %s in term %d\n", double(context_.queue.now_ms()) / 1000, id_,
                    replication::role_name(ready.leadership->role), ready.leadership->term.value);
      }
    }
  }
  maybe_flush();
}

void SimNode::maybe_flush() {
  if (!live() || flush_in_flight_ || log_.flushed_offset() >= log_.end_offset()) return;
  flush_in_flight_ = true;
  const int64_t delay = slow_disk_ ? context_.prng.uniform(kMinSlowFlushMs, kMaxSlowFlushMs)
                                   : context_.prng.uniform(kMinFlushMs, kMaxFlushMs);
  const auto ticket = log_.prepare_flush();
  const uint64_t incarnation = incarnation_;
  context_.queue.schedule_after(delay, [this, ticket, incarnation] { on_flush_done(ticket, incarnation); });
}

void SimNode::on_flush_done(replication::MemoryLog::FlushTicket ticket, uint64_t incarnation) {
  if (incarnation != incarnation_ || !live()) return;  // the crash lost this flush
  flush_in_flight_ = false;
  log_.complete_flush(ticket);
  context_.trace.add(static_cast<uint64_t>(4000 + id_));
  raft_->on_flushed(log_.flushed_offset());
  process_ready();
}

}  // namespace millrace::sim
