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

std::string log_start_key(const RaftGroupId& group) {
  return "raftstart/" + (group.is_controller() ? std::string("@controller") : group.to_string());
}

void put_be(std::string& out, uint64_t v, int bytes) {
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xFF));
}

uint64_t get_be(const std::string& in, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(in[at + static_cast<size_t>(i)]);
  return v;
}

// Value layout: int64 offset, int32 term before it, then Configuration::encode() (absent: none known).
std::string encode_log_start(const LogStart& start) {
  std::string out;
  put_be(out, static_cast<uint64_t>(start.offset.value), 8);
  put_be(out, static_cast<uint32_t>(start.term_before.value), 4);
  if (start.configuration) {
    const Buffer config = start.configuration->encode();
    out.append(config.data(), config.size());
  }
  return out;
}

std::optional<LogStart> decode_log_start(const std::string& value) {
  if (value.size() < 12) return std::nullopt;
  LogStart start;
  start.offset = Offset{static_cast<int64_t>(get_be(value, 0, 8))};
  start.term_before = Term{static_cast<int32_t>(get_be(value, 8, 4))};
  if (value.size() > 12) {
    auto config = Configuration::decode(ByteView(value.data() + 12, value.size() - 12));
    if (!config) return std::nullopt;
    start.configuration = std::move(*config);
  }
  return start;
}

// Where the Raft log begins: the persisted start if it lies within the partition log (the segments below
// it are gone), else the partition log's start with an unknown term before it (0; leader and followers then
// agree on 0 there, as a snapshot sets it) and the bootstrap configuration.
Result<std::optional<LogStart>> load_log_start(storage::KvStore& store, const RaftGroupId& group,
                                               const storage::PartitionLog& log) {
  auto value = store.get(log_start_key(group));
  if (!value) return std::move(value).error();
  if (value->has_value()) {
    auto start = decode_log_start(**value);
    if (start && start->offset >= log.log_start_offset() && start->offset <= log.log_end_offset())
      return start;
  }
  if (log.log_start_offset() > Offset{0})
    return std::optional<LogStart>(LogStart{log.log_start_offset(), Term{0}, std::nullopt});
  return std::optional<LogStart>();
}

}  // namespace

Result<std::unique_ptr<RaftReplica>> RaftReplica::open(const RaftGroupId& group, storage::PartitionLog& log,
                                                       storage::KvStore& store, RaftTransport& transport,
                                                       const BrokerConfig& config,
                                                       const std::vector<NodeId>& voters, Hooks hooks) {
  auto hard_state = std::make_unique<KvHardStateStore>(store, group);
  auto loaded = hard_state->load();
  if (!loaded) return std::move(loaded).error();
  auto start = load_log_start(store, group, log);
  if (!start) return std::move(start).error();
  auto segmented = SegmentedLog::open(log, *start);
  if (!segmented) return std::move(segmented).error();
  const RaftConfig rc = raft_config(config);
  if (Status st = rc.validate(); !st) return std::move(st).error();
  const std::chrono::milliseconds liveness_window(config.election_timeout_ms);
  std::unique_ptr<RaftReplica> replica(new RaftReplica(group, transport, config.flush, liveness_window,
                                                       std::move(hooks), std::move(hard_state), store,
                                                       std::move(*segmented)));
  replica->node_ = std::make_unique<RaftNode>(rc, *replica->log_, *loaded, Configuration::of_voters(voters));
  // What is on disk now survived the last run; the owner reports later flushes.
  replica->node_->on_flushed(replica->log_->flushed_offset());
  replica->process_ready();
  return replica;
}

RaftReplica::RaftReplica(RaftGroupId group, RaftTransport& transport, FlushPolicy policy,
                         std::chrono::milliseconds liveness_window, Hooks hooks,
                         std::unique_ptr<KvHardStateStore> hard_state, storage::KvStore& store,
                         std::unique_ptr<SegmentedLog> log)
    : group_(std::move(group)),
      transport_(transport),
      policy_(policy),
      liveness_window_(liveness_window),
      hooks_(std::move(hooks)),
      hard_state_(std::move(hard_state)),
      store_(store),
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

Result<Offset> RaftReplica::change_configuration(const ConfigChange& change) {
  if (failed_) return make_error(protocol::errc::kafka_storage_error, group_.to_string() + " has failed");
  auto offset = node_->propose_configuration_change(change);
  process_ready();
  return offset;
}

Status RaftReplica::truncate_prefix(Offset new_start) {
  if (failed_) return make_error(protocol::errc::kafka_storage_error, group_.to_string() + " has failed");
  Status st = node_->truncate_prefix(new_start);
  process_ready();
  return st;
}

Status RaftReplica::save_log_start(const LogStart& start) {
  return store_.put(log_start_key(group_), encode_log_start(start));
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
  if (Status st = store_.erase(log_start_key(group_)); !st) {
    spdlog::warn("{}: could not erase its log start: {}", group_.to_string(), st.error().to_string());
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
    std::optional<LogStart> new_start;
    for (const LogOp& op : ready.log_ops) {
      if (const auto* t = std::get_if<TruncatePrefixOp>(&op)) new_start = t->start;
      if (const auto* r = std::get_if<ResetOp>(&op)) new_start = r->start;
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
    if (new_start) {
      if (Status st = save_log_start(*new_start); !st) {
        fail("saving the log start", st.error());
        break;
      }
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
