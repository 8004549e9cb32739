#include "millrace/broker/raft_replica.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>

#include "millrace/protocol/errc.h"
#include "millrace/replication/log_ops.h"

namespace millrace::broker {

using namespace replication;

namespace {

int ticks(int64_t ms, int64_t tick_ms) {
  return static_cast<int>(std::max<int64_t>(1, (ms + tick_ms - 1) / tick_ms));
}

RaftConfig raft_config(const BrokerConfig& config) {
  RaftConfig rc;
  rc.self = NodeId{config.node_id};
  rc.election_timeout_ticks = ticks(config.election_timeout_ms, config.raft_tick_ms);
  rc.heartbeat_interval_ticks = ticks(config.heartbeat_interval_ms, config.raft_tick_ms);
  // An entry is one produced batch: as large as the broker lets a topic's max.message.bytes be.
  rc.max_entry_bytes = std::max(kDefaultMaxEntryBytes, static_cast<size_t>(config.max_message_bytes));
  rc.max_uncommitted_bytes = std::max(kDefaultMaxUncommittedBytes, 4 * rc.max_entry_bytes);
  rc.random_seed = std::random_device{}();
  return rc;
}

}  // namespace

Result<std::unique_ptr<RaftReplica>> RaftReplica::open(const RaftGroupId& group, storage::PartitionLog& log,
                                                       storage::KvStore& store, RaftTransport& transport,
                                                       const BrokerConfig& config,
                                                       const std::vector<NodeId>& voters, Hooks hooks) {
  auto hard_state = std::make_unique<KvHardStateStore>(store, group);
  auto loaded = hard_state->load();
  if (!loaded) return std::move(loaded).error();
  std::optional<LogStart> start;
  if (log.log_start_offset() > Offset{0}) start = LogStart{log.log_start_offset(), Term{0}, std::nullopt};
  auto segmented = SegmentedLog::open(log, start);
  if (!segmented) return std::move(segmented).error();
  const RaftConfig rc = raft_config(config);
  if (Status st = rc.validate(); !st) return std::move(st).error();
  const std::chrono::milliseconds liveness_window(config.election_timeout_ms);
  std::unique_ptr<RaftReplica> replica(new RaftReplica(group, transport, config.flush, liveness_window,
                                                       std::move(hooks), std::move(hard_state),
                                                       std::move(*segmented)));
  replica->node_ = std::make_unique<RaftNode>(rc, *replica->log_, *loaded, Configuration::of_voters(voters));
  // What is on disk now survived the last run; the owner reports later flushes.
  replica->node_->on_flushed(replica->log_->flushed_offset());
  replica->process_ready();
  return replica;
}

RaftReplica::RaftReplica(RaftGroupId group, RaftTransport& transport, FlushPolicy policy,
                         std::chrono::milliseconds liveness_window, Hooks hooks,
                         std::unique_ptr<KvHardStateStore> hard_state, std::unique_ptr<SegmentedLog> log)
    : group_(std::move(group)),
      transport_(transport),
      policy_(policy),
      liveness_window_(liveness_window),
      hooks_(std::move(hooks)),
      hard_state_(std::move(hard_state)),
      log_(std::move(log)) {}

RaftReplica::~RaftReplica() = default;

Result<Offset> RaftReplica::propose(Buffer batch) {
  if (failed_) return make_error(protocol::errc::kafka_storage_error, group_.to_string() + " has failed");
  auto offset = node_->propose(std::move(batch));
  process_ready();
  return offset;
}

void RaftReplica::step(const Message& message) {
  if (failed_) return;
  node_->step(message);
  process_ready();
}

void RaftReplica::tick() {
  if (failed_) return;
  node_->tick();
  process_ready();
}

void RaftReplica::on_flushed(Offset flushed_end) {
  if (failed_) return;
  node_->on_flushed(flushed_end);
  process_ready();
}

Status RaftReplica::transfer_leadership(NodeId target) {
  Status st = node_->transfer_leadership(target);
  process_ready();
  return st;
}

Result<Offset> RaftReplica::propose_configuration_change(const replication::ConfigChange& change) {
  auto proposed = node_->propose_configuration_change(change);
  process_ready();
  return proposed;
}

std::vector<NodeId> RaftReplica::in_sync_replicas() const {
  std::vector<NodeId> out;
  if (!node_->is_leader() || caught_up_term_ != node_->term()) return out;
  const auto now = std::chrono::steady_clock::now();
  for (NodeId member : node_->configuration().members()) {
    if (member == node_->id()) {
      out.push_back(member);
      continue;
    }
    // Position alone is not enough: a dead follower that was caught up would stay "in sync" until a write
    // commits without it, and that write would pass a min.insync.replicas check it must fail.
    auto it = caught_up_.find(member.value);
    if (it != caught_up_.end() && now - it->second <= liveness_window_ &&
        transport_.alive(member, liveness_window_)) {
      out.push_back(member);
    }
  }
  return out;
}

void RaftReplica::note_caught_up() {
  if (!node_->is_leader()) {
    caught_up_.clear();
    return;
  }
  if (caught_up_term_ != node_->term()) {
    caught_up_.clear();
    caught_up_term_ = node_->term();
  }
  const auto now = std::chrono::steady_clock::now();
  for (NodeId member : node_->configuration().members()) {
    if (member == node_->id()) continue;
    auto progress = node_->progress(member);
    if (progress && progress->durable_end >= node_->commit_end()) caught_up_[member.value] = now;
  }
}

Offset RaftReplica::durable_on(size_t count) const {
  if (!node_->is_leader() || count == 0) return Offset{0};
  std::vector<Offset> ends;
  for (NodeId member : node_->configuration().members()) {
    if (member == node_->id()) {
      ends.push_back(node_->flushed_end());
    } else if (auto progress = node_->progress(member)) {
      ends.push_back(progress->durable_end);
    }
  }
  if (ends.size() < count) return Offset{0};
  std::sort(ends.begin(), ends.end(), [](Offset a, Offset b) { return a > b; });
  return ends[count - 1];
}

void RaftReplica::erase_state() {
  if (Status st = hard_state_->erase(); !st) {
    spdlog::warn("{}: could not erase Raft state: {}", group_.to_string(), st.error().to_string());
  }
}

void RaftReplica::fail(const std::string& what, const Error& error) {
  failed_ = true;
  spdlog::error("{}: {} failed ({}); this replica stops taking part in its Raft group", group_.to_string(),
                what, error.to_string());
}

void RaftReplica::process_ready() {
  if (processing_) return;  // a hook re-entered; the outer loop picks up whatever it caused
  processing_ = true;
  while (!failed_ && node_->has_ready()) {
    Ready ready = node_->take_ready();
    if (ready.hard_state) {
      if (Status st = hard_state_->save(*ready.hard_state); !st) {
        fail("saving the hard state", st.error());
        break;
      }
    }
    bool appended = false;
    std::optional<Offset> truncated_to;
    for (const LogOp& op : ready.log_ops) {
      if (const auto* t = std::get_if<TruncateSuffixOp>(&op)) {
        truncated_to = truncated_to ? std::min(*truncated_to, t->end) : t->end;
      }
      if (const auto* r = std::get_if<ResetOp>(&op)) truncated_to = r->start.offset;
      if (std::holds_alternative<AppendOp>(op)) appended = true;
    }
    if (Status st = apply_log_ops(*log_, ready.log_ops); !st) {
      fail("writing the log", st.error());
      break;
    }
    if (truncated_to && hooks_.truncated) hooks_.truncated(*truncated_to);
    if (!ready.log_ops.empty() && hooks_.log_changed) hooks_.log_changed();
    for (Message& m : ready.messages) transport_.send(group_, std::move(m));
    if (ready.commit_end && hooks_.committed) hooks_.committed(*ready.commit_end);
    if (ready.leadership && hooks_.leadership) hooks_.leadership(*ready.leadership);
    // flush: interval counts the page cache as durable enough (documented as the relaxed policy).
    if (appended && policy_ == FlushPolicy::interval) node_->on_flushed(log_->end_offset());
  }
  processing_ = false;
  if (!failed_) note_caught_up();
}

}  // namespace millrace::broker
