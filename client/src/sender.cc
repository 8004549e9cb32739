#include "sender.h"

#include <boost/asio/post.hpp>
#include <map>
#include <utility>

#include "deadline.h"
#include "millrace.pb.h"
#include "millrace/client/errc.h"
#include "millrace/protocol/errc.h"

namespace millrace::client::internal {

namespace {

// How a request's batches fill its partition entries: drain() puts a partition's batches side by side, and
// they share one entry. `first`: the batch starts an entry; `shared`: its entry holds other batches too.
struct EntryShape {
  std::vector<bool> first;
  std::vector<bool> shared;
};

EntryShape entry_shape(const std::vector<RecordAccumulator::BatchPtr>& batches) {
  EntryShape shape{std::vector<bool>(batches.size(), true), std::vector<bool>(batches.size(), false)};
  for (size_t i = 1; i < batches.size(); ++i) {
    if (batches[i]->partition() != batches[i - 1]->partition()) continue;
    shape.first[i] = false;
    shape.shared[i] = shape.shared[i - 1] = true;
  }
  return shape;
}

bool is_retriable(const Error& error) {
  return error.code.category() == protocol::protocol_category() &&
         protocol::is_retriable(static_cast<protocol::errc>(error.code.value()));
}

}  // namespace

Sender::Sender(NetworkClient& network, ProducerState& state, const ProducerConfig& config)
    : network_(network), state_(state), config_(config), timer_(network.io_context()) {}

void Sender::wakeup() {
  if (wakeup_pending_.exchange(true)) return;
  boost::asio::post(network_.io_context(), [this] { run_once(); });
}

void Sender::stop() {
  stopped_ = true;
  timer_.cancel();
}

void Sender::run_once() {
  wakeup_pending_.store(false);
  if (stopped_) return;
  const int64_t now_ms = steady_now_ms();
  const bool idempotent = config_.enable_idempotence;
  const auto metadata = network_.metadata().snapshot();
  const auto leader_of = [&](const TopicPartition& tp) { return metadata->leader_of(tp); };
  BatchList expired;
  BatchList abandoned;
  std::vector<std::pair<NodeId, BatchList>> requests;
  RecordAccumulator::Readiness readiness;
  bool need_producer_id = false;
  {
    std::lock_guard lock(state_.mutex());
    RecordAccumulator& accumulator = state_.accumulator();
    ProducerSequences& sequences = state_.sequences();
    expired = accumulator.expire(now_ms);
    if (idempotent) {
      for (const auto& batch : expired) {
        if (!batch->is_stamped()) continue;
        sequences.abandoned(*batch);
        reset_partition_locked(batch->partition(), abandoned);
      }
      for (const auto& partition : sequences.ready_to_resume()) accumulator.resume(partition);
      need_producer_id = sequences.needs_new_id();
    }
    const bool may_send = !idempotent || sequences.has_producer_id();
    std::map<NodeId, int32_t> planned;
    // Several rounds: a partition may have several batches in flight (idempotence), one per request.
    while (true) {
      readiness = accumulator.ready(now_ms, leader_of);
      if (!may_send) break;
      bool drained_any = false;
      for (auto& [node, partitions] : readiness.ready) {
        if (in_flight_requests_[node] + planned[node] >= config_.max_in_flight_per_connection) continue;
        if (auto last = last_drained_.find(node); last != last_drained_.end()) {
          rotate_after(partitions, last->second);
        }
        BatchList batches = accumulator.drain(partitions, config_.max_request_bytes, now_ms);
        if (batches.empty()) continue;
        last_drained_.insert_or_assign(node, batches.back()->partition());
        if (idempotent) {
          for (auto& batch : batches) {
            if (!batch->is_stamped()) sequences.stamp(*batch);
          }
        }
        ++planned[node];
        drained_any = true;
        requests.emplace_back(node, std::move(batches));
      }
      if (!drained_any) break;
    }
  }
  for (auto& batch : expired) {
    state_.fail(*batch, make_error(protocol::errc::request_timed_out,
                                   std::to_string(batch->record_count()) + " record(s) for " +
                                       batch->partition().to_string() +
                                       " expired: " + std::to_string(config_.delivery_timeout_ms) +
                                       " ms (delivery_timeout_ms) passed since the batch was created"));
  }
  for (auto& batch : abandoned) {
    state_.fail(*batch, make_error(protocol::errc::out_of_order_sequence_number,
                                   "not sent again: an earlier batch of " + batch->partition().to_string() +
                                       " failed, so its sequence numbers were abandoned"));
  }
  int64_t next_check_ms = readiness.next_check_ms;
  if (need_producer_id) {
    if (now_ms >= producer_id_retry_at_ms_) {
      request_producer_id();
    } else {
      next_check_ms = std::min(next_check_ms, producer_id_retry_at_ms_);
    }
  }
  for (auto& [node, batches] : requests) send_produce(node, std::move(batches));
  const auto age = SteadyClock::now() - metadata->updated_at;
  if (readiness.unknown_leader || age > std::chrono::milliseconds(config_.connection.metadata_max_age_ms)) {
    refresh_metadata();
  }
  arm_timer(next_check_ms);
}

void Sender::request_producer_id() {
  if (producer_id_request_in_flight_) return;
  producer_id_request_in_flight_ = true;
  OutboundRequest out;
  out.api_key = protocol::ApiKey::init_producer_id;
  out.body = wire::InitProducerIdRequest().SerializeAsString();
  out.timeout = std::chrono::milliseconds(config_.connection.request_timeout_ms);
  out.on_done = [this](Result<ResponseFrame> frame) {
    producer_id_request_in_flight_ = false;
    if (stopped_) return;  // the producer is closing
    Result<wire::InitProducerIdResponse> response =
        frame ? decode_response<wire::InitProducerIdResponse>(*frame)
              : Result<wire::InitProducerIdResponse>(frame.error());
    if (response && response->error_code() == 0 && response->producer_id() >= 0) {
      std::lock_guard lock(state_.mutex());
      state_.sequences().set_producer_id(response->producer_id(),
                                         static_cast<int16_t>(response->producer_epoch()));
    } else {
      // Any broker can answer; try again (another one, once metadata knows it) after the backoff. Records
      // waiting meanwhile expire after delivery_timeout_ms as usual.
      producer_id_retry_at_ms_ = steady_now_ms() + config_.retry_backoff_ms;
      refresh_metadata();
    }
    wakeup();
  };
  network_.send(std::nullopt, std::move(out));
}

void Sender::reset_partition_locked(const TopicPartition& partition, BatchList& fail) {
  ProducerSequences& sequences = state_.sequences();
  sequences.reset(partition);
  state_.accumulator().pause(partition);
  for (auto& batch : state_.accumulator().take_stamped(partition)) {
    sequences.abandoned(*batch);
    fail.push_back(std::move(batch));
  }
}

void Sender::arm_timer(int64_t at_ms) {
  if (at_ms == std::numeric_limits<int64_t>::max()) return;
  timer_.expires_at(SteadyClock::time_point(std::chrono::milliseconds(at_ms)));
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) run_once();
  });
}

void Sender::refresh_metadata() {
  if (metadata_refresh_pending_) return;
  metadata_refresh_pending_ = true;
  network_.request_metadata({}, [this](const Status&) {
    metadata_refresh_pending_ = false;
    wakeup();
  });
}

void Sender::send_produce(NodeId node, BatchList batches) {
  wire::ProduceRequest request;
  request.set_acks(static_cast<int32_t>(config_.acks));
  request.set_timeout_ms(config_.connection.request_timeout_ms);
  OutboundRequest out;
  // The batches' own buffers go out with gather I/O. They stay alive and unchanged until on_done: `shared`
  // below owns the batches until then, and closed batches are not modified (stamping happens before).
  out.payload_parts.reserve(batches.size());
  wire::ProducePartitionData* partition = nullptr;
  for (size_t i = 0; i < batches.size(); ++i) {
    const auto& batch = batches[i];
    // Adjacent batches of one partition (drain() without idempotence) share its entry, in order.
    if (i == 0 || batch->partition() != batches[i - 1]->partition()) {
      partition = request.add_partitions();
      partition->set_topic(batch->partition().topic);
      partition->set_partition(batch->partition().partition.value);
    }
    partition->set_records_bytes(partition->records_bytes() + static_cast<uint32_t>(batch->size_bytes()));
    out.payload_parts.push_back(batch->bytes());
    ++batch->attempts;
  }
  out.api_key = protocol::ApiKey::produce;
  out.body = request.SerializeAsString();
  out.expects_response = config_.acks != Acks::none;
  out.timeout = std::chrono::milliseconds(config_.connection.request_timeout_ms);
  auto shared = std::make_shared<BatchList>(std::move(batches));
  out.on_done = [this, node, shared](Result<ResponseFrame> frame) {
    --in_flight_requests_[node];
    handle_response(node, *shared, std::move(frame));
    wakeup();
  };
  ++in_flight_requests_[node];
  network_.send(node, std::move(out));
}

void Sender::handle_response(NodeId node, BatchList& batches, Result<ResponseFrame> frame) {
  const int64_t now_ms = steady_now_ms();
  if (!frame) {
    retry_or_fail_all(batches, frame.error(), now_ms);
    return;
  }
  if (config_.acks == Acks::none) {
    for (auto& batch : batches) finish(std::move(batch), Offset{-1});
    return;
  }
  auto response = decode_response<wire::ProduceResponse>(*frame);
  if (!response) {
    retry_or_fail_all(batches, response.error(), now_ms);
    return;
  }
  std::map<TopicPartition, const wire::ProducePartitionResult*> results;
  for (const auto& r : response->results())
    results[TopicPartition{r.topic(), PartitionId{r.partition()}}] = &r;
  // A partition's entry may hold several adjacent batches: the result's base offset is the first one's, and
  // each later batch follows the previous one's records.
  const EntryShape shape = entry_shape(batches);
  std::vector<Failed> failed;
  int64_t next_base = -1;
  for (size_t i = 0; i < batches.size(); ++i) {
    BatchPtr& batch = batches[i];
    auto it = results.find(batch->partition());
    if (it == results.end()) {
      Error error =
          make_error(errc::bad_response, "node " + std::to_string(node.value) +
                                             " sent no produce result for " + batch->partition().to_string());
      failed.push_back({std::move(batch), std::move(error), shape.shared[i]});
      continue;
    }
    const wire::ProducePartitionResult& r = *it->second;
    if (r.error_code() == 0) {
      const int64_t base = shape.first[i] ? r.base_offset() : next_base;
      next_base = base < 0 ? base : base + static_cast<int64_t>(batch->record_count());
      finish(std::move(batch), Offset{base});
    } else {
      Error error = error_from_wire(r.error_code(), r.error_message(), batch->partition().to_string(),
                                    batch->partition().to_string());
      failed.push_back({std::move(batch), std::move(error), shape.shared[i]});
    }
  }
  retry_or_fail_in_order(std::move(failed), now_ms);
}

void Sender::finish(BatchPtr batch, Offset base_offset) {
  {
    std::lock_guard lock(state_.mutex());
    state_.accumulator().release(batch->partition());
    if (batch->is_stamped()) state_.sequences().acknowledged(*batch);
  }
  state_.complete(*batch, base_offset);
}

void Sender::retry_or_fail_all(BatchList& batches, const Error& error, int64_t now_ms) {
  const EntryShape shape = entry_shape(batches);
  std::vector<Failed> failed;
  failed.reserve(batches.size());
  for (size_t i = 0; i < batches.size(); ++i)
    failed.push_back({std::move(batches[i]), error, shape.shared[i]});
  retry_or_fail_in_order(std::move(failed), now_ms);
}

void Sender::retry_or_fail_in_order(std::vector<Failed> failed, int64_t now_ms) {
  // Batches that fail for good go first, in order, so a partition's callbacks run in order. The rest go back
  // to the front of their queues (or are split there) last one first, which leaves them in their order.
  for (Failed& f : failed) {
    if (!goes_back(*f.batch, f.error, f.shared_entry, now_ms))
      retry_or_fail(std::move(f.batch), f.error, now_ms, f.shared_entry);
  }
  for (auto it = failed.rbegin(); it != failed.rend(); ++it) {
    if (it->batch) retry_or_fail(std::move(it->batch), it->error, now_ms, it->shared_entry);
  }
}

bool Sender::splits(const ProducerBatch& batch, const Error& error) const {
  return error.code == protocol::errc::message_too_large && batch.record_count() > 1 && !state_.aborting();
}

bool Sender::retried_alone(const Error& error, bool shared_entry) const {
  return shared_entry && error.code == protocol::errc::message_too_large && !state_.aborting();
}

bool Sender::goes_back(const ProducerBatch& batch, const Error& error, bool shared_entry,
                       int64_t now_ms) const {
  if (retried_alone(error, shared_entry) || splits(batch, error)) return true;
  // Only unstamped batches share a request with others of their partition, and for them this is exactly
  // the test retry_or_fail() makes; a stamped batch is alone in its partition's entry, so either answer
  // keeps its order.
  const bool in_time = !state_.aborting() &&
                       now_ms + config_.retry_backoff_ms < batch.created_ms() + config_.delivery_timeout_ms;
  return batch.is_stamped() || (is_retriable(error) && in_time);
}

void Sender::retry_or_fail(BatchPtr batch, const Error& error, int64_t now_ms, bool shared_entry) {
  if (retried_alone(error, shared_entry)) {
    // Refused as too large together with other batches: which one is too large shows when each goes alone
    // (drain() sends a retry alone).
    batch->retry_at_ms = now_ms;
    std::lock_guard lock(state_.mutex());
    state_.accumulator().reenqueue(std::move(batch));
    return;
  }
  if (splits(*batch, error)) {
    // Smaller batches, and if need be single records: maybe only some records are too large. A stamped
    // batch's parts keep its sequence numbers (the broker took none of them), unless they are void.
    std::lock_guard lock(state_.mutex());
    ProducerSequences& sequences = state_.sequences();
    if (!batch->is_stamped() || !sequences.is_resetting(batch->partition())) {
      const TopicPartition partition = batch->partition();
      const int64_t producer_id = batch->producer_id();
      const int32_t base_sequence = batch->base_sequence();
      const auto part_sequences = state_.accumulator().split_and_reenqueue(std::move(batch));
      if (!part_sequences.empty()) sequences.split(partition, producer_id, base_sequence, part_sequences);
      return;
    }
  }
  const int64_t give_up_ms = batch->created_ms() + config_.delivery_timeout_ms;
  const bool in_time = !state_.aborting() && now_ms + config_.retry_backoff_ms < give_up_ms;
  bool waits_for_earlier = false;  // out of order only because an earlier batch has not arrived yet
  bool resetting = false;
  if (batch->is_stamped()) {
    std::lock_guard lock(state_.mutex());
    resetting = state_.sequences().is_resetting(batch->partition());
    waits_for_earlier = error.code == protocol::errc::out_of_order_sequence_number &&
                        state_.sequences().has_earlier_outstanding(*batch);
  }
  const bool retriable = is_retriable(error);
  if ((retriable || waits_for_earlier) && in_time && !resetting) {
    batch->retry_at_ms = waits_for_earlier ? now_ms : now_ms + config_.retry_backoff_ms;
    {
      std::lock_guard lock(state_.mutex());
      state_.accumulator().reenqueue(std::move(batch));
    }
    if (retriable) refresh_metadata();
    return;
  }
  Error final_error = error;
  if (retriable && !state_.aborting() && !resetting) {
    final_error.message += "; gave up after " + std::to_string(batch->attempts) +
                           " attempt(s): delivery_timeout_ms (" +
                           std::to_string(config_.delivery_timeout_ms) + ") reached";
  }
  BatchList abandoned;
  {
    std::lock_guard lock(state_.mutex());
    state_.accumulator().release(batch->partition());
    if (batch->is_stamped()) {
      // The broker may never see these sequence numbers: the partition starts again under a new id.
      state_.sequences().abandoned(*batch);
      reset_partition_locked(batch->partition(), abandoned);
    }
  }
  state_.fail(*batch, final_error);
  for (auto& later : abandoned) {
    state_.fail(*later, make_error(protocol::errc::out_of_order_sequence_number,
                                   "not sent again: an earlier batch of " + later->partition().to_string() +
                                       " failed (" + final_error.message + ")"));
  }
}

}  // namespace millrace::client::internal
