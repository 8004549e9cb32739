#include "record_accumulator.h"

#include <algorithm>
#include <cassert>

namespace millrace::client::internal {

RecordAccumulator::Queues::value_type* RecordAccumulator::find_queue(PartitionKey partition) {
  if (last_found_ != nullptr && PartitionKey(last_found_->first) == partition) return last_found_;
  auto it = queues_.find(partition);
  if (it == queues_.end()) return nullptr;
  last_found_ = &*it;
  return last_found_;
}

void rotate_after(std::vector<TopicPartition>& partitions, const TopicPartition& last) {
  const auto first = std::upper_bound(partitions.begin(), partitions.end(), last, PartitionOrder{});
  std::rotate(partitions.begin(), first, partitions.end());
}

RecordAccumulator::AppendResult RecordAccumulator::append(PartitionKey partition,
                                                          const protocol::RecordRef& record,
                                                          PendingRecord pending, int64_t now_ms) {
  return append_with(partition, record, std::move(pending), [now_ms] { return now_ms; });
}

RecordAccumulator::AppendResult RecordAccumulator::append(PartitionKey partition,
                                                          const protocol::RecordRef& record,
                                                          PendingRecord pending, Clock clock) {
  return append_with(partition, record, std::move(pending), clock.now_ms);
}

template <class Now>
RecordAccumulator::AppendResult RecordAccumulator::append_with(PartitionKey partition,
                                                               const protocol::RecordRef& record,
                                                               PendingRecord pending, Now&& now_ms) {
  const size_t record_bytes = protocol::RecordBatchBuilder::record_size_upper_bound(record);
  Queues::value_type* found = find_queue(partition);
  if (found == nullptr) {
    found =
        &*queues_.emplace(TopicPartition{std::string(partition.topic), partition.partition}, Queue{}).first;
    last_found_ = found;
  }
  const TopicPartition& key = found->first;
  Queue& queue = found->second;
  AppendResult result;
  if (!queue.empty()) {
    ProducerBatch& back = *queue.back();
    const bool fits = back.fits(record_bytes);
    if (fits || grows(key, queue, record_bytes)) {
      back.append(record, std::move(pending));
      result.batch_id = back.id();
      // A batch that grows waits behind another one or for its partition's window: nothing new to send.
      result.batch_full = fits && back.is_full();
      return result;
    }
    if (back.is_open()) {
      back.mark_full();
      result.batch_full = true;
    }
  }
  auto batch =
      std::make_unique<ProducerBatch>(key, next_batch_id_++, now_ms(), config_.batch_bytes, buffer_pool_);
  batch->append(record, std::move(pending));
  result.batch_id = batch->id();
  result.new_batch = true;
  result.batch_full = result.batch_full || batch->is_full();
  note_expiry(*batch);
  queue.push_back(std::move(batch));
  return result;
}

bool RecordAccumulator::grows(const TopicPartition& partition, const Queue& queue,
                              size_t record_bytes) const {
  if (config_.backlog_batch_bytes <= config_.batch_bytes) return false;
  const bool waits = queue.size() > 1 || !may_send(partition, *queue.front());
  return waits && queue.back()->fits(record_bytes, config_.backlog_batch_bytes);
}

bool RecordAccumulator::batch_accepts(PartitionKey partition, uint64_t batch_id, size_t record_bytes) {
  const Queues::value_type* found = find_queue(partition);
  if (found == nullptr) return false;
  const ProducerBatch& back = *found->second.back();
  return back.id() == batch_id &&
         (back.fits(record_bytes) || grows(found->first, found->second, record_bytes));
}

RecordAccumulator::Readiness RecordAccumulator::ready(int64_t now_ms, const LeaderLookup& leader_of) const {
  Readiness out;
  const bool send_everything = flushes_in_progress_ > 0 || closing_;
  for (const auto& [partition, queue] : queues_) {
    const ProducerBatch& front = *queue.front();
    out.next_check_ms = std::min(out.next_check_ms, front.created_ms() + config_.delivery_timeout_ms);
    if (!may_send(partition, front)) continue;
    if (front.retry_at_ms > now_ms) {
      out.next_check_ms = std::min(out.next_check_ms, front.retry_at_ms);
      continue;
    }
    const int64_t linger_done_ms = front.created_ms() + config_.linger_ms;
    const bool is_ready = send_everything || queue.size() > 1 || front.is_full() || front.attempts > 0 ||
                          now_ms >= linger_done_ms;
    if (!is_ready) {
      out.next_check_ms = std::min(out.next_check_ms, linger_done_ms);
      continue;
    }
    auto leader = leader_of(partition);
    if (!leader) {
      out.unknown_leader = true;
      continue;
    }
    out.ready[*leader].push_back(partition);
  }
  return out;
}

std::vector<RecordAccumulator::BatchPtr> RecordAccumulator::drain(
    const std::vector<TopicPartition>& partitions, size_t max_request_bytes, int64_t now_ms) {
  std::vector<BatchPtr> out;
  size_t total_bytes = 0;
  for (const auto& partition : partitions) {
    auto it = queues_.find(partition);
    if (it == queues_.end() || !may_send(partition, *it->second.front())) continue;
    Queue& queue = it->second;
    const auto take = [&] {
      total_bytes += queue.front()->size_bytes();
      out.push_back(std::move(queue.front()));
      queue.pop_front();
      ++in_flight_[partition];
    };
    ProducerBatch& front = *queue.front();
    front.close();
    if (!out.empty() && total_bytes + front.size_bytes() > max_request_bytes) break;
    // A retry goes alone: if its request failed as too large, this finds the batch that is.
    const bool alone = !config_.several_batches_per_request || front.attempts > 0;
    take();
    while (!alone && !queue.empty()) {
      ProducerBatch& next = *queue.front();
      const bool ready =
          queue.size() > 1 || next.is_full() || now_ms >= next.created_ms() + config_.linger_ms;
      if (!ready || next.attempts > 0 || total_bytes + next.size_bytes() > max_request_bytes) break;
      next.close();
      take();
    }
    if (queue.empty()) erase_queue(it);
  }
  return out;
}

bool RecordAccumulator::may_send(const TopicPartition& partition, const ProducerBatch& front) const {
  if (paused_.contains(partition)) return false;
  const int32_t flying = in_flight(partition);
  return flying < config_.max_in_flight_per_partition && (front.attempts == 0 || flying == 0);
}

bool RecordAccumulator::is_muted(const TopicPartition& partition) const {
  auto it = queues_.find(partition);
  if (it == queues_.end()) {
    return paused_.contains(partition) || in_flight(partition) >= config_.max_in_flight_per_partition;
  }
  return !may_send(partition, *it->second.front());
}

int32_t RecordAccumulator::in_flight(const TopicPartition& partition) const {
  auto it = in_flight_.find(partition);
  return it == in_flight_.end() ? 0 : it->second;
}

void RecordAccumulator::release(const TopicPartition& partition) {
  auto it = in_flight_.find(partition);
  assert(it != in_flight_.end() && it->second > 0);
  if (--it->second == 0) in_flight_.erase(it);
}

void RecordAccumulator::reenqueue(BatchPtr batch) {
  const TopicPartition partition = batch->partition();
  release(partition);
  note_expiry(*batch);
  Queue& queue = queues_[partition];
  const auto at = return_position(queue, *batch);
  queue.insert(at, std::move(batch));
}

RecordAccumulator::Queue::iterator RecordAccumulator::return_position(Queue& queue,
                                                                      const ProducerBatch& batch) {
  auto at = queue.begin();
  if (batch.is_stamped()) {
    while (at != queue.end() && (*at)->is_stamped() && (*at)->base_sequence() < batch.base_sequence()) ++at;
  }
  return at;
}

std::vector<RecordAccumulator::BatchPtr> RecordAccumulator::take_stamped(const TopicPartition& partition) {
  std::vector<BatchPtr> out;
  auto it = queues_.find(partition);
  if (it == queues_.end()) return out;
  Queue& queue = it->second;
  for (auto b = queue.begin(); b != queue.end();) {
    if ((*b)->is_stamped()) {
      out.push_back(std::move(*b));
      b = queue.erase(b);
    } else {
      ++b;
    }
  }
  if (queue.empty()) erase_queue(it);
  return out;
}

std::vector<int32_t> RecordAccumulator::split_and_reenqueue(BatchPtr batch) {
  const TopicPartition partition = batch->partition();
  // A batch that grew past batch_bytes goes back as batches of batch_bytes; a smaller one record by record.
  const size_t chunk_bytes = batch->size_bytes() > config_.batch_bytes ? config_.batch_bytes : 0;
  auto parts = batch->split(chunk_bytes, next_batch_id_);
  note_expiry(*batch);  // the parts keep its creation time
  std::vector<int32_t> part_sequences;
  if (batch->is_stamped()) {
    for (const auto& part : parts) part_sequences.push_back(part->base_sequence());
  }
  Queue& queue = queues_[partition];
  const auto at = return_position(queue, *batch);
  queue.insert(at, std::make_move_iterator(parts.begin()), std::make_move_iterator(parts.end()));
  if (queue.empty()) erase_queue(queues_.find(partition));
  release(partition);
  return part_sequences;
}

std::vector<RecordAccumulator::BatchPtr> RecordAccumulator::expire(int64_t now_ms) {
  std::vector<BatchPtr> out;
  if (now_ms < earliest_expiry_ms_) return out;
  earliest_expiry_ms_ = std::numeric_limits<int64_t>::max();
  for (auto it = queues_.begin(); it != queues_.end();) {
    Queue& queue = it->second;
    for (auto b = queue.begin(); b != queue.end();) {
      if (now_ms - (*b)->created_ms() >= config_.delivery_timeout_ms) {
        out.push_back(std::move(*b));
        b = queue.erase(b);
      } else {
        note_expiry(**b);
        ++b;
      }
    }
    it = queue.empty() ? erase_queue(it) : std::next(it);
  }
  return out;
}

std::vector<RecordAccumulator::BatchPtr> RecordAccumulator::abort_all() {
  std::vector<BatchPtr> out;
  for (auto& [partition, queue] : queues_) {
    for (auto& batch : queue) out.push_back(std::move(batch));
  }
  queues_.clear();
  last_found_ = nullptr;
  return out;
}

size_t RecordAccumulator::queued_batch_count() const {
  size_t count = 0;
  for (const auto& [partition, queue] : queues_) count += queue.size();
  return count;
}

}  // namespace millrace::client::internal
