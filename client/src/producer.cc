#include "millrace/client/producer.h"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>

#include "deadline.h"
#include "millrace/client/errc.h"
#include "millrace/protocol/errc.h"
#include "millrace/protocol/record_batch_format.h"
#include "millrace/protocol/record_ref.h"
#include "network_client.h"
#include "producer_state.h"
#include "sender.h"

namespace millrace::client {

using internal::SteadyClock;

// Producer::Impl: the send() path (metadata wait, partition choice, memory, append) and the lifecycle.
class Producer::Impl {
 public:
  Impl(ProducerConfig config, std::unique_ptr<internal::NetworkClient> network)
      : config_(std::move(config)),
        network_(std::move(network)),
        state_(config_),
        sender_(*network_, state_, config_) {}
  ~Impl() { close(std::chrono::milliseconds::max()); }

  Status send(ProducerRecord record, DeliveryCallback callback);
  // The one send path: `record`'s bytes are copied into the batch before it returns.
  Status send_view(const ProducerRecordView& record, DeliveryCallback callback);
  void flush();
  void close(std::chrono::milliseconds timeout);
  const ProducerConfig& config() const { return config_; }

 private:
  Result<std::shared_ptr<const internal::ClusterMetadata>> wait_for_topic(const std::string& topic,
                                                                          SteadyClock::time_point deadline);
  // Call under the state mutex.
  PartitionId choose_partition(std::optional<PartitionId> partition,
                               const std::optional<std::string_view>& key, const internal::TopicInfo& topic,
                               size_t record_bytes);

  const ProducerConfig config_;
  std::unique_ptr<internal::NetworkClient> network_;
  internal::ProducerState state_;
  internal::Sender sender_;
  std::mutex close_mutex_;
  bool closed_ = false;
};

namespace {
constexpr auto kUnknownTopicGrace = std::chrono::seconds(2);
constexpr auto kUnknownTopicRetry = std::chrono::milliseconds(50);
}  // namespace

Result<std::shared_ptr<const internal::ClusterMetadata>> Producer::Impl::wait_for_topic(
    const std::string& topic, SteadyClock::time_point deadline) {
  internal::MetadataCache& cache = network_->metadata();
  const uint64_t started_at_attempt = cache.attempts();
  const auto started = SteadyClock::now();
  while (true) {
    auto snapshot = cache.snapshot();
    if (const internal::TopicInfo* info = snapshot->topic(topic)) {
      if (info->error == protocol::errc::none && !info->partitions.empty()) return snapshot;
      const bool fresh = snapshot->attempt > started_at_attempt;
      const bool fatal = info->error != protocol::errc::none && !protocol::is_retriable(info->error);
      // One node answers for the whole cluster: an unknown topic is a typo, reported at once. In a cluster
      // the node asked may not have applied a just-created topic yet, so wait a moment for it.
      const bool unknown = fresh && info->error == protocol::errc::unknown_topic_or_partition;
      const bool settled =
          snapshot->brokers.size() <= 1 || SteadyClock::now() - started >= kUnknownTopicGrace;
      if ((unknown && settled) || fatal) {
        return internal::error_from_wire(static_cast<int32_t>(info->error), info->error_message,
                                         "topic '" + topic + "'", topic);
      }
      if (unknown) std::this_thread::sleep_for(kUnknownTopicRetry);
    }
    const uint64_t attempt = cache.attempts();
    boost::asio::post(network_->io_context(),
                      [this, topic] { network_->request_metadata({topic}, [](const Status&) {}); });
    if (!cache.wait_for_attempt_after(attempt, deadline)) {
      auto last = cache.last_error();
      return make_error(protocol::errc::request_timed_out,
                        "topic '" + topic + "' not present in metadata after " +
                            std::to_string(config_.max_block_ms) + " ms (max_block_ms)" +
                            (last ? "; last error: " + last->to_string() : ""));
    }
  }
}

PartitionId Producer::Impl::choose_partition(std::optional<PartitionId> partition,
                                             const std::optional<std::string_view>& key,
                                             const internal::TopicInfo& topic, size_t record_bytes) {
  const auto count = static_cast<int32_t>(topic.partitions.size());
  if (partition) return *partition;
  if (key) return partition_for_key(*key, count);
  // The snapshot's cached list (ClusterMetadata::merge); send() already checked the topic has partitions.
  const std::vector<PartitionId>& candidates = topic.null_key_candidates;
  assert(!candidates.empty());
  auto& accumulator = state_.accumulator();
  return state_.null_key_partitioner().choose(topic.name, candidates, [&](PartitionId p, uint64_t batch_id) {
    return accumulator.batch_accepts(internal::PartitionKey(topic.name, p), batch_id, record_bytes);
  });
}

Status Producer::Impl::send(ProducerRecord record, DeliveryCallback callback) {
  std::vector<protocol::HeaderView> headers;
  headers.reserve(record.headers.size());
  for (const protocol::RecordHeader& h : record.headers) headers.push_back(protocol::view_of(h));
  return send_view(ProducerRecordView{record.topic, record.partition, record.key, record.value, headers,
                                      record.timestamp_ms},
                   std::move(callback));
}

Status Producer::Impl::send_view(const ProducerRecordView& record, DeliveryCallback callback) {
  if (state_.closing()) return make_error(errc::closed, "producer is closed");
  if (record.topic.empty()) return make_error(errc::invalid_argument, "record has no topic");
  // The max_block_ms deadline is read from the clock only when send() has to wait (for metadata or memory):
  // the usual record needs neither.
  const auto max_block = std::chrono::milliseconds(config_.max_block_ms);
  std::optional<SteadyClock::time_point> deadline;
  const auto get_deadline = [&] {
    if (!deadline) deadline = internal::deadline_after(max_block);
    return *deadline;
  };
  // This thread's copy of the metadata snapshot, taken again only when the cache changes: no lock and no
  // reference count per record.
  thread_local internal::CachedSnapshot cached_metadata;
  const internal::TopicInfo* topic = cached_metadata.get(network_->metadata()).topic(record.topic);
  std::shared_ptr<const internal::ClusterMetadata> waited;  // keeps the snapshot wait_for_topic returned
  if (topic == nullptr || topic->error != protocol::errc::none || topic->partitions.empty()) {
    auto fresh = wait_for_topic(std::string(record.topic), get_deadline());
    if (!fresh) return std::move(fresh).error();
    waited = std::move(*fresh);
    topic = waited->topic(record.topic);
  }
  const auto count = static_cast<int32_t>(topic->partitions.size());
  if (record.partition && (record.partition->value < 0 || record.partition->value >= count)) {
    return make_error(protocol::errc::unknown_topic_or_partition,
                      "partition " + std::to_string(record.partition->value) + " of topic '" + topic->name +
                          "' does not exist (it has " + std::to_string(count) + ")");
  }
  protocol::RecordRef wire_record;
  wire_record.key = record.key;
  wire_record.value = record.value;
  wire_record.headers = record.headers;
  wire_record.timestamp_ms =
      record.timestamp_ms.value_or(std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
  const size_t record_bytes = protocol::RecordBatchBuilder::record_size_upper_bound(wire_record);
  if (record_bytes + protocol::batch_format::kHeaderSize > config_.max_request_bytes) {
    return make_error(protocol::errc::message_too_large, "record of about " + std::to_string(record_bytes) +
                                                             " bytes exceeds max_request_bytes " +
                                                             std::to_string(config_.max_request_bytes));
  }
  if (!state_.memory().try_reserve(record_bytes)) {
    if (auto st = state_.memory().reserve(record_bytes, get_deadline(), max_block); !st) return st;
  }
  internal::RecordAccumulator::AppendResult appended;
  {
    std::lock_guard lock(state_.mutex());
    if (state_.closing()) {
      state_.memory().release(record_bytes);
      return make_error(errc::closed, "producer is closed");
    }
    const PartitionId partition = choose_partition(record.partition, record.key, *topic, record_bytes);
    state_.record_accepted();
    // The steady clock is read only if the record starts a batch (its linger and delivery timeout).
    appended = state_.accumulator().append(
        internal::PartitionKey(topic->name, partition), wire_record,
        internal::PendingRecord{std::move(callback), wire_record.timestamp_ms, record_bytes},
        internal::RecordAccumulator::Clock{&internal::steady_now_ms});
    if (!record.partition && !record.key)
      state_.null_key_partitioner().appended(topic->name, partition, appended.batch_id);
  }
  if (appended.new_batch || appended.batch_full) sender_.wakeup();
  return {};
}

void Producer::Impl::flush() {
  if (network_->in_io_thread()) return;  // from a callback: waiting would deadlock the I/O thread
  {
    std::lock_guard lock(state_.mutex());
    state_.accumulator().begin_flush();
  }
  sender_.wakeup();
  state_.wait_until_idle(SteadyClock::time_point::max());
  std::lock_guard lock(state_.mutex());
  state_.accumulator().end_flush();
}

void Producer::Impl::close(std::chrono::milliseconds timeout) {
  std::lock_guard close_lock(close_mutex_);
  if (closed_ || network_->in_io_thread()) return;
  closed_ = true;
  state_.set_closing();
  {
    std::lock_guard lock(state_.mutex());
    state_.accumulator().set_closing();
  }
  sender_.wakeup();
  if (!state_.wait_until_idle(internal::deadline_after(timeout))) state_.set_aborting();
  // Stop the sender, then the network: in-flight requests fail with CLIENT_CLOSED and their batches fail.
  network_->shutdown([this] { sender_.stop(); });
  std::vector<internal::RecordAccumulator::BatchPtr> leftover;
  {
    std::lock_guard lock(state_.mutex());
    leftover = state_.accumulator().abort_all();
  }
  const Error closed = make_error(errc::closed, "producer closed before the record was delivered");
  for (auto& batch : leftover) state_.fail(*batch, closed);
}

Result<std::unique_ptr<Producer>> Producer::create(ProducerConfig config) {
  if (auto st = validate(config); !st) return std::move(st).error();
  auto network = internal::NetworkClient::create(config.connection, "millrace-prod");
  if (!network) return std::move(network).error();
  return std::unique_ptr<Producer>(
      new Producer(std::make_unique<Impl>(std::move(config), std::move(*network))));
}

Producer::Producer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Producer::~Producer() = default;

Status Producer::send(ProducerRecord record, DeliveryCallback callback) {
  return impl_->send(std::move(record), std::move(callback));
}

Status Producer::send_view(const ProducerRecordView& record, DeliveryCallback callback) {
  return impl_->send_view(record, std::move(callback));
}

std::future<DeliveryReport> Producer::send(ProducerRecord record) {
  auto promise = std::make_shared<std::promise<DeliveryReport>>();
  auto future = promise->get_future();
  DeliveryReport failed;
  failed.topic = record.topic;
  failed.partition = record.partition.value_or(PartitionId{-1});
  auto st =
      impl_->send(std::move(record), [promise](const DeliveryReport& report) { promise->set_value(report); });
  if (!st) {
    failed.error = std::move(st).error();
    promise->set_value(std::move(failed));
  }
  return future;
}

void Producer::flush() {
  impl_->flush();
}
void Producer::close(std::chrono::milliseconds timeout) {
  impl_->close(timeout);
}
const ProducerConfig& Producer::config() const {
  return impl_->config();
}

}  // namespace millrace::client
