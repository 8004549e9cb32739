#include "millrace/broker/partition_manager.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>

#include "millrace/broker/partition_reassignment.h"
#include "millrace/broker/topic_name.h"
#include "millrace/protocol/errc.h"
#include "millrace/protocol/list_offsets.h"
#include "millrace/protocol/record_batch.h"

namespace millrace::broker {

using protocol::errc;

namespace {

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Error unknown_topic(std::string_view topic) {
  return make_error(errc::unknown_topic_or_partition, "topic '" + std::string(topic) + "' does not exist");
}

// Checks what validate_batches cannot know: clients may not write control batches or unknown codecs.
Status check_client_batches(ByteView batches) {
  size_t pos = 0;
  while (pos < batches.size()) {
    const auto h = protocol::read_batch_header(batches.subspan(pos));
    if (h.is_control()) return make_error(errc::invalid_record, "clients may not produce control batches");
    if (static_cast<int>(h.compression()) > static_cast<int>(protocol::batch_format::Compression::zstd)) {
      return make_error(errc::unsupported_compression_type, "unknown compression codec in batch attributes");
    }
    pos += static_cast<size_t>(h.size_bytes());
  }
  return {};
}

// max_open_files, or half of the process's open-file limit (the rest is for connections, RocksDB, and the
// files held open past the limit while they have unsynced writes).
size_t max_open_files(const BrokerConfig& config) {
  if (config.max_open_files > 0) return static_cast<size_t>(config.max_open_files);
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 4096;
  return std::max<size_t>(64, static_cast<size_t>(limit.rlim_cur) / 2);
}

}  // namespace

PartitionManager::PartitionManager(const BrokerConfig& config, storage::KvStore& store, Flusher& flusher)
    : config_(config),
      registry_(store),
      flusher_(flusher),
      file_system_(storage::BoundedFileSystem::create(storage::posix_file_system(), max_open_files(config))) {
}

std::filesystem::path PartitionManager::partition_dir(const std::string& topic, int32_t partition) const {
  return config_.data_dir / (topic + "-" + std::to_string(partition));
}

storage::LogConfig PartitionManager::log_config(const EffectiveTopicConfig& effective) const {
  storage::LogConfig log_config;
  log_config.segment_bytes = effective.segment_bytes;
  log_config.index_interval_bytes = effective.index_interval_bytes;
  log_config.max_batch_bytes = config_.max_frame_bytes;  // recovery accepts any batch a frame could carry
  return log_config;
}

PartitionManager::Topic PartitionManager::open_partitions(TopicRecord record) {
  const EffectiveTopicConfig effective = resolve_topic_config(record.configs, config_);
  Topic topic;
  for (int32_t p = 0; p < record.partitions; ++p) {
    topic.partitions.push_back(open_partition(record, p, effective, topic));
  }
  topic.record = std::move(record);
  return topic;
}

std::shared_ptr<Partition> PartitionManager::open_partition(const TopicRecord& record, int32_t p,
                                                            const EffectiveTopicConfig& effective,
                                                            Topic& topic) {
  const std::string name = record.name + "-" + std::to_string(p);
  std::vector<NodeId> voters;
  if (!record.assignments.empty()) {
    for (int32_t r : record.assignments.at(static_cast<size_t>(p))) voters.push_back(NodeId{r});
    const bool assigned = std::find(voters.begin(), voters.end(), NodeId{config_.node_id}) != voters.end();
    if (!assigned && !joining(record.name, p)) {
      topic.failures.emplace(
          p, make_error(errc::not_leader_or_follower,
                        "partition " + name + " has no replica on node " + std::to_string(config_.node_id)));
      return nullptr;
    }
    const RaftGroupId group{record.name, p};
    const auto joined = reassignment_created_ms_.find(group);
    const int64_t since_ms =
        assigned || joined == reassignment_created_ms_.end() ? record.created_ms : joined->second;
    if (must_rejoin(group, since_ms)) {
      Error error = make_error(errc::kafka_storage_error,
                               "partition " + name + ": node " + std::to_string(config_.node_id) +
                                   " has lost its copy (its data directory is newer than the topic); it "
                                   "takes no part until a reassignment adds it back (docs/operations.md)");
      spdlog::warn("{}", error.message);
      topic.failures.emplace(p, std::move(error));
      return nullptr;
    }
  }
  auto log = storage::PartitionLog::open(partition_dir(record.name, p), log_config(effective), file_system_);
  std::shared_ptr<Partition> partition;
  Status started = log ? Status{} : Status(std::move(log).error());
  if (started) {
    partition = std::make_shared<Partition>(record.name, PartitionId{p}, std::move(*log), effective,
                                            config_.flush, flusher_, config_.producer_id_expiration_ms);
    if (!voters.empty() && transport_ != nullptr) {
      started =
          partition->start_replication(RaftGroupId{record.name, p}, *store_, *transport_, config_, voters);
    }
  }
  if (!started) {
    Error error = make_error(errc::kafka_storage_error,
                             "partition " + name + " is offline: " + started.error().to_string());
    spdlog::error("{}", error.message);
    topic.failures.emplace(p, std::move(error));
    return nullptr;
  }
  return partition;
}

Status PartitionManager::open_existing() {
  auto records = registry_.load_all();
  if (!records) return std::move(records).error();
  for (auto& record : *records) {
    // A partition that cannot be opened (say, corruption in a sealed segment) is offline on its own; the
    // topic's other partitions are served.
    std::string name = record.name;
    Topic topic = open_partitions(std::move(record));
    spdlog::info("opened topic '{}': {} of {} partitions online", name,
                 topic.partitions.size() - topic.failures.size(), topic.partitions.size());
    topics_.emplace(std::move(name), std::move(topic));
  }
  const storage::OpenFileStats files = file_system_->stats();
  spdlog::info("{} segment and index files, {} of them open (max_open_files {})", files.handles, files.open,
               file_system_->max_open());
  return {};
}

Status PartitionManager::create_topic(const TopicSpecInput& spec) {
  if (Status st = validate_new_topic(spec); !st) return st;
  const int32_t count = spec.partitions == 0 ? config_.default_partitions : spec.partitions;
  TopicRecord record{spec.name, count, spec.configs, now_ms(), {}};
  // Remove leftovers of an earlier topic of the same name whose deletion was interrupted.
  for (int32_t p = 0; p < count; ++p) {
    std::error_code ec;
    std::filesystem::remove_all(partition_dir(spec.name, p), ec);
  }
  Topic topic = open_partitions(record);
  Status recorded = topic.failures.empty() ? registry_.put(record) : Status(topic.failures.begin()->second);
  if (!recorded) {
    const Error failed = make_error(errc::kafka_storage_error, "topic creation failed");
    for (auto& p : topic.partitions) {
      if (p) p->abandon(failed);
    }
    return make_error(errc::kafka_storage_error, "cannot create topic: " + recorded.error().to_string());
  }
  topics_.emplace(spec.name, std::move(topic));
  spdlog::info("created topic '{}' with {} partitions", spec.name, count);
  return {};
}

Status PartitionManager::alter_topic_config(std::string_view name, const TopicConfigOverrides& set,
                                            const std::vector<std::string>& remove, bool validate_only) {
  auto it = topics_.find(name);
  if (it == topics_.end()) return unknown_topic(name);
  TopicRecord updated = it->second.record;
  for (const auto& key : remove) {
    if (!is_known_topic_config(key)) {
      return make_error(errc::invalid_config, "unknown topic config '" + key + "'");
    }
    updated.configs.erase(key);
  }
  for (const auto& [key, value] : set) updated.configs[key] = value;
  if (Status st = validate_topic_config(updated.configs); !st) return st;
  if (validate_only) return {};
  if (Status st = registry_.put(updated); !st) {
    return make_error(errc::kafka_storage_error, "cannot record topic config: " + st.error().to_string());
  }
  const EffectiveTopicConfig effective = resolve_topic_config(updated.configs, config_);
  for (auto& p : it->second.partitions) {
    if (p) p->set_config(effective, log_config(effective));
  }
  it->second.record = std::move(updated);
  spdlog::info("altered config of topic '{}'", name);
  return {};
}

Status PartitionManager::delete_topic(std::string_view name) {
  auto it = topics_.find(name);
  if (it == topics_.end()) return unknown_topic(name);
  if (Status st = registry_.erase(it->second.record.name); !st) {
    return make_error(errc::kafka_storage_error, "cannot remove topic record: " + st.error().to_string());
  }
  const Error gone = unknown_topic(name);
  for (size_t i = 0; i < it->second.partitions.size(); ++i) {
    if (auto& p = it->second.partitions[i]) p->abandon(gone);
    const auto dir = partition_dir(it->second.record.name, static_cast<int32_t>(i));
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    if (ec) spdlog::warn("could not remove {}: {}", dir.string(), ec.message());
  }
  topics_.erase(it);
  spdlog::info("deleted topic '{}'", name);
  return {};
}

std::vector<TopicRecord> PartitionManager::list_topics() const {
  std::vector<TopicRecord> out;
  for (const auto& [name, topic] : topics_) out.push_back(topic.record);
  return out;
}

Result<TopicState> PartitionManager::describe_topic(std::string_view name) const {
  auto it = topics_.find(name);
  if (it == topics_.end()) return unknown_topic(name);
  TopicState state;
  state.name = it->second.record.name;
  state.configs = describe_topic_config(it->second.record.configs, config_);
  const TopicRecord& record = it->second.record;
  for (size_t i = 0; i < it->second.partitions.size(); ++i) {
    const auto& p = it->second.partitions[i];
    PartitionState ps;
    ps.id = PartitionId{static_cast<int32_t>(i)};
    if (i < record.assignments.size()) {
      ps.replicas = record.assignments[i];
      if (auto target = reassignments_.find(RaftGroupId{record.name, static_cast<int32_t>(i)});
          target != reassignments_.end()) {
        ps.adding_replicas = replicas_adding(ps.replicas, target->second);
        ps.removing_replicas = replicas_removing(ps.replicas, target->second);
      }
    }
    if (!p) {
      if (auto hint = hinted_leaders_.find(RaftGroupId{record.name, ps.id.value});
          hint != hinted_leaders_.end()) {
        ps.leader = hint->second.second.value;
      }
      ps.error = it->second.failures.at(ps.id.value);
      ps.log_start_offset = ps.log_end_offset = ps.high_watermark = Offset{-1};
      ps.size_bytes = -1;
      state.partitions.push_back(std::move(ps));
      continue;
    }
    const auto& log = p->log();
    ps.log_start_offset = log.log_start_offset();
    ps.log_end_offset = log.log_end_offset();
    ps.high_watermark = p->high_watermark();
    ps.size_bytes = log.size_bytes();
    ps.segment_count = log.segment_count();
    ps.write_error = p->write_failure();  // readable, but refusing writes
    if (const RaftReplica* r = p->replica()) {
      if (auto leader = r->node().leader()) ps.leader = leader->value;
      for (NodeId n : r->in_sync_replicas()) ps.in_sync_replicas.push_back(n.value);
    } else {
      ps.leader = config_.node_id;
      ps.in_sync_replicas = {config_.node_id};
    }
    state.partitions.push_back(std::move(ps));
  }
  return state;
}

Result<std::shared_ptr<Partition>> PartitionManager::partition(std::string_view topic,
                                                               int32_t partition) const {
  auto it = topics_.find(topic);
  if (it == topics_.end()) return unknown_topic(topic);
  const auto& partitions = it->second.partitions;
  if (partition < 0 || partition >= static_cast<int32_t>(partitions.size())) {
    return make_error(errc::unknown_topic_or_partition,
                      "topic '" + std::string(topic) + "' has no partition " + std::to_string(partition));
  }
  if (!partitions[static_cast<size_t>(partition)]) return it->second.failures.at(partition);
  return partitions[static_cast<size_t>(partition)];
}

void PartitionManager::produce(std::string_view topic, int32_t partition, MutableByteView batches,
                               int32_t acks, Partition::AppendCallback done) {
  if (acks != 0 && acks != 1 && acks != protocol::kAcksAll) {
    done(make_error(errc::invalid_required_acks,
                    "acks must be 0, 1 or -1 (got " + std::to_string(acks) + ")"));
    return;
  }
  auto target = this->partition(topic, partition);
  if (!target) {
    done(std::move(target).error());
    return;
  }
  auto validated = protocol::validate_batches(batches, (*target)->config().max_message_bytes);
  if (!validated) {
    done(std::move(validated).error());
    return;
  }
  if (Status st = check_client_batches(batches); !st) {
    done(std::move(st).error());
    return;
  }
  (*target)->append(batches, acks, std::move(done));
}

Result<Offset> PartitionManager::list_offset(std::string_view topic, int32_t partition,
                                             int64_t timestamp) const {
  auto target = this->partition(topic, partition);
  if (!target) return std::move(target).error();
  if (timestamp == protocol::kListOffsetsEarliest) return (*target)->log().log_start_offset();
  if (timestamp == protocol::kListOffsetsLatest) return (*target)->high_watermark();
  if (timestamp < 0) {
    return make_error(errc::invalid_request, "timestamp " + std::to_string(timestamp) +
                                                 " is neither -2 (earliest), -1 (latest) nor a time in ms");
  }
  auto found = (*target)->log().offset_for_timestamp(timestamp);
  if (!found) return to_client_error(found.error());
  // Every record is older: Kafka answers with the log end, where a consumer would wait for newer ones.
  return found->value_or((*target)->high_watermark());
}

void PartitionManager::begin_shutdown() {
  shutting_down_ = true;
  for_each_partition([](Partition& p) { p.wake_data_waiters(); });
}

void PartitionManager::enforce_retention(int64_t now_ms) {
  for_each_partition([now_ms](Partition& p) { p.enforce_retention(now_ms); });
}

void PartitionManager::flush_all() {
  for_each_partition([](Partition& p) { p.flush_now(); });
}

size_t PartitionManager::pending_durable_acks() const {
  size_t n = 0;
  for_each_partition([&n](const Partition& p) { n += p.pending_durable_acks(); });
  return n;
}

Status PartitionManager::close_all() {
  Status first;
  for_each_partition([&first](Partition& p) {
    Status st = p.close();
    if (!st && first) first = std::move(st);
  });
  return first;
}

}  // namespace millrace::broker
