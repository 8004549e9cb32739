#include "millrace/broker/controller.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "cluster.pb.h"
#include "millrace/protocol/errc.h"
#include "millrace/protocol/list_offsets.h"
#include "millrace/protocol/record_batch.h"
#include "millrace/protocol/record_batch_builder.h"
#include "millrace/protocol/record_batch_decoder.h"

namespace millrace::broker {

using protocol::errc;

namespace {

constexpr std::string_view kAppliedKey = "controller/applied";
constexpr int64_t kControllerSegmentBytes = 64LL * 1024 * 1024;
constexpr size_t kApplyReadBytes = 1024 * 1024;
constexpr int32_t kDefaultReplicationFactorMax = 3;

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string encode_offset(Offset o) {
  return std::to_string(o.value);
}

TopicConfigOverrides to_overrides(const google::protobuf::Map<std::string, std::string>& m) {
  return TopicConfigOverrides(m.begin(), m.end());
}

std::vector<std::vector<int32_t>> to_assignments(
    const google::protobuf::RepeatedPtrField<wire::ReplicaList>& lists) {
  std::vector<std::vector<int32_t>> out;
  for (const auto& l : lists) out.emplace_back(l.replicas().begin(), l.replicas().end());
  return out;
}

void add_assignments(const std::vector<std::vector<int32_t>>& assignments,
                     google::protobuf::RepeatedPtrField<wire::ReplicaList>* out) {
  for (const auto& replicas : assignments) {
    auto* l = out->Add();
    for (int32_t r : replicas) l->add_replicas(r);
  }
}

}  // namespace

Controller::Controller(const BrokerConfig& config, storage::KvStore& store, Flusher& flusher,
                       RaftTransport& transport, PartitionManager& manager)
    : config_(config),
      store_(store),
      flusher_(flusher),
      transport_(transport),
      manager_(manager),
      brokers_(store) {}

Controller::~Controller() = default;

Status Controller::open() {
  auto applied = store_.get(kAppliedKey);
  if (!applied) return std::move(applied).error();
  if (applied->has_value()) applied_ = Offset{std::stoll(**applied)};
  if (Status st = open_brokers(); !st) return st;

  storage::LogConfig log_config;
  log_config.segment_bytes = kControllerSegmentBytes;
  log_config.max_batch_bytes = config_.max_frame_bytes;
  auto log = storage::PartitionLog::open(config_.data_dir / "__controller", log_config);
  if (!log) return make_error(errc::kafka_storage_error, "controller log: " + log.error().to_string());
  EffectiveTopicConfig effective;
  effective.segment_bytes = kControllerSegmentBytes;
  effective.segment_ms = -1;
  effective.retention_ms = -1;
  effective.retention_bytes = -1;
  effective.max_message_bytes = config_.max_message_bytes;
  effective.min_insync_replicas = 1;
  effective.index_interval_bytes = config_.index_interval_bytes;
  partition_ = std::make_shared<Partition>("__controller", PartitionId{0}, std::move(*log), effective,
                                           config_.flush, flusher_, config_.producer_id_expiration_ms);
  partition_->set_commit_listener([this](Offset commit_end) { on_commit(commit_end); });
  std::vector<NodeId> voters;
  for (const auto& p : config_.peers) voters.push_back(NodeId{p.node_id});
  return partition_->start_replication(RaftGroupId::controller(), store_, transport_, config_, voters);
}

std::optional<NodeId> Controller::leader() const {
  return partition_->replica()->node().leader();
}

bool Controller::is_leader() const {
  return partition_->replica()->node().is_leader();
}

std::vector<NodeId> Controller::live_nodes() const {
  std::vector<NodeId> out;
  for (const auto& b : placement_candidates()) out.push_back(NodeId{b.node_id});
  return out;
}

void Controller::step(const replication::Message& message) {
  partition_->replica_step(message);
}

void Controller::tick() {
  partition_->replica_tick();
  tick_brokers();
}

Status Controller::close() {
  for (auto& [end, done] : pending_) done(make_error(errc::not_controller, "the broker is shutting down"));
  pending_.clear();
  return partition_->close();
}

Status Controller::check_leader() const {
  if (is_leader()) return {};
  const auto l = leader();
  return make_error(errc::not_controller,
                    "node " + std::to_string(config_.node_id) + " is not the controller leader" +
                        (l ? " (node " + std::to_string(l->value) + " is)" : " (none is elected yet)"));
}

void Controller::propose(const wire::ControllerCommand& command, Done done) {
  if (Status st = check_leader(); !st) return done(std::move(st));
  protocol::RecordBatchBuilder builder;
  protocol::Record record;
  record.value = command.SerializeAsString();
  record.timestamp_ms = now_ms();
  builder.append(record);
  Buffer batch = builder.build();
  partition_->append(batch, protocol::kAcksAll, [this, done](Result<storage::AppendResult> appended) {
    if (!appended) {
      const Error& e = appended.error();
      done(e.code == errc::not_leader_or_follower ? make_error(errc::not_controller, e.message) : e);
      return;
    }
    const Offset end = next(appended->last_offset);
    if (applied_ >= end) return done({});
    pending_.emplace(end.value, done);
  });
}

void Controller::on_commit(Offset commit_end) {
  while (applied_ < commit_end) {
    auto read = partition_->read(applied_, kApplyReadBytes);
    if (!read || read->bytes.empty()) {
      if (!read) spdlog::error("controller: cannot read its log: {}", read.error().to_string());
      break;
    }
    ByteView bytes(read->bytes.data(), read->bytes.size());
    size_t pos = 0;
    while (pos < bytes.size()) {
      const auto header = protocol::read_batch_header(bytes.subspan(pos));
      const auto size = static_cast<size_t>(header.size_bytes());
      const ByteView one = bytes.subspan(pos, size);
      pos += size;
      if (Offset{header.next_offset()} <= applied_) continue;
      if (!header.is_control()) {
        std::vector<protocol::Record> records;
        if (Status st = protocol::decode_records(one, 0, records); !st) {
          spdlog::error("controller: undecodable entry at {}: {}", header.base_offset,
                        st.error().to_string());
        }
        for (const auto& r : records) {
          wire::ControllerCommand command;
          if (!r.value || !command.ParseFromString(*r.value)) {
            spdlog::error("controller: unreadable command at offset {}", r.offset);
            continue;
          }
          if (Status st = apply(command, Offset{r.offset}); !st) {
            spdlog::error("controller: applying the command at offset {} failed: {}", r.offset,
                          st.error().to_string());
          }
        }
      }
      applied_ = Offset{header.next_offset()};
    }
    if (Status st = store_.put(kAppliedKey, encode_offset(applied_)); !st) {
      spdlog::error("controller: cannot record the applied offset: {}", st.error().to_string());
    }
  }
  while (!pending_.empty() && pending_.begin()->first <= applied_.value) {
    Done done = std::move(pending_.begin()->second);
    pending_.erase(pending_.begin());
    done({});
  }
}

Status Controller::apply(const wire::ControllerCommand& command, Offset offset) {
  if (is_broker_command(command)) return apply_broker_command(command, offset);
  switch (command.command_case()) {
    case wire::ControllerCommand::kCreateTopic: {
      const auto& c = command.create_topic();
      TopicRecord record;
      record.name = c.name();
      record.assignments = to_assignments(c.partitions());
      record.partitions = static_cast<int32_t>(record.assignments.size());
      record.configs = to_overrides(c.configs());
      record.created_ms = c.created_ms();
      return manager_.apply_create_topic(record);
    }
    case wire::ControllerCommand::kDeleteTopic:
      return manager_.apply_delete_topic(command.delete_topic().name());
    case wire::ControllerCommand::kSetTopicConfig:
      return manager_.apply_topic_config(command.set_topic_config().name(),
                                         to_overrides(command.set_topic_config().configs()));
    case wire::ControllerCommand::kAddPartitions:
      return manager_.apply_add_partitions(command.add_partitions().name(),
                                           to_assignments(command.add_partitions().partitions()));
    case wire::ControllerCommand::kReassignPartition: {
      const auto& c = command.reassign_partition();
      in_flight_.erase(RaftGroupId{c.topic(), c.partition()});
      return manager_.apply_reassign_partition(c.topic(), c.partition(),
                                               std::vector<int32_t>(c.target().begin(), c.target().end()),
                                               c.created_ms());
    }
    case wire::ControllerCommand::kCompleteReassignment: {
      const auto& c = command.complete_reassignment();
      in_flight_.erase(RaftGroupId{c.topic(), c.partition()});
      return manager_.apply_complete_reassignment(
          c.topic(), c.partition(), std::vector<int32_t>(c.replicas().begin(), c.replicas().end()));
    }
    default:
      break;
  }
  return make_error(errc::invalid_request, "empty controller command");
}

std::vector<std::vector<int32_t>> Controller::assign(const std::string& topic, int32_t first_partition,
                                                     int32_t count, int32_t replication_factor) const {
  // Registered, unfenced, live brokers only; spread across racks (replica_placement.h). Start each topic at
  // a different broker so leaders spread across topics as well as partitions.
  const std::vector<PlacementBroker> brokers = placement_candidates();
  const size_t start = std::hash<std::string>{}(topic) % brokers.size();
  return place_replicas(brokers, start, first_partition, count, replication_factor);
}

void Controller::create_topic(const TopicSpecInput& spec, int32_t replication_factor, Done done) {
  if (Status st = check_leader(); !st) return done(std::move(st));
  if (Status st = manager_.validate_new_topic(spec); !st) return done(std::move(st));
  const auto cluster_size = static_cast<int32_t>(brokers_.all().size());
  const int32_t rf =
      replication_factor == 0 ? std::min(kDefaultReplicationFactorMax, cluster_size) : replication_factor;
  const auto live = static_cast<int32_t>(live_nodes().size());
  if (rf < 1 || rf > live) {
    return done(make_error(errc::invalid_replication_factor,
                           "replication factor " + std::to_string(rf) + " needs " + std::to_string(rf) +
                               " live brokers; " + std::to_string(live) + " of " +
                               std::to_string(cluster_size) + " are live"));
  }
  const int32_t count = spec.partitions == 0 ? config_.default_partitions : spec.partitions;
  wire::ControllerCommand command;
  auto* c = command.mutable_create_topic();
  c->set_name(spec.name);
  add_assignments(assign(spec.name, 0, count, rf), c->mutable_partitions());
  for (const auto& [k, v] : spec.configs) (*c->mutable_configs())[k] = v;
  c->set_created_ms(now_ms());
  propose(command, std::move(done));
}

void Controller::delete_topic(const std::string& name, Done done) {
  if (Status st = check_leader(); !st) return done(std::move(st));
  if (!manager_.has_topic(name)) {
    return done(make_error(errc::unknown_topic_or_partition, "topic '" + name + "' does not exist"));
  }
  wire::ControllerCommand command;
  command.mutable_delete_topic()->set_name(name);
  propose(command, std::move(done));
}

void Controller::alter_topic_config(const std::string& name, const TopicConfigOverrides& set,
                                    const std::vector<std::string>& remove, bool validate_only, Done done) {
  if (Status st = check_leader(); !st) return done(std::move(st));
  auto record = manager_.topic_record(name);
  if (!record)
    return done(make_error(errc::unknown_topic_or_partition, "topic '" + name + "' does not exist"));
  TopicConfigOverrides updated = record->configs;
  for (const auto& key : remove) {
    if (!is_known_topic_config(key)) {
      return done(make_error(errc::invalid_config, "unknown topic config '" + key + "'"));
    }
    updated.erase(key);
  }
  for (const auto& [k, v] : set) updated[k] = v;
  if (Status st = validate_topic_config(updated); !st) return done(std::move(st));
  if (validate_only) return done({});
  wire::ControllerCommand command;
  auto* c = command.mutable_set_topic_config();
  c->set_name(name);
  for (const auto& [k, v] : updated) (*c->mutable_configs())[k] = v;
  propose(command, std::move(done));
}

void Controller::add_partitions(const std::string& name, int32_t total_partitions, Done done) {
  if (Status st = check_leader(); !st) return done(std::move(st));
  auto record = manager_.topic_record(name);
  if (!record)
    return done(make_error(errc::unknown_topic_or_partition, "topic '" + name + "' does not exist"));
  if (total_partitions <= record->partitions || total_partitions > kMaxPartitionsPerTopic) {
    return done(make_error(errc::invalid_partitions, "topic '" + name + "' has " +
                                                         std::to_string(record->partitions) +
                                                         " partitions; the new count must be larger"));
  }
  const int32_t rf = record->assignments.empty() ? 1 : static_cast<int32_t>(record->assignments[0].size());
  if (const auto live = static_cast<int32_t>(live_nodes().size()); rf > live) {
    return done(make_error(errc::invalid_replication_factor, "the new partitions need " + std::to_string(rf) +
                                                                 " live brokers; " + std::to_string(live) +
                                                                 " are live"));
  }
  wire::ControllerCommand command;
  auto* c = command.mutable_add_partitions();
  c->set_name(name);
  add_assignments(assign(name, record->partitions, total_partitions - record->partitions, rf),
                  c->mutable_partitions());
  propose(command, std::move(done));
}

}  // namespace millrace::broker
