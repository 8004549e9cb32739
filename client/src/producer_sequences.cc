#include "producer_sequences.h"

#include <cassert>
#include <limits>

namespace millrace::client::internal {

namespace {

int32_t advance(int32_t sequence, size_t count) {
  constexpr int64_t kSpan = int64_t{std::numeric_limits<int32_t>::max()} + 1;
  return static_cast<int32_t>((int64_t{sequence} + static_cast<int64_t>(count)) % kSpan);
}

}  // namespace

void ProducerSequences::set_producer_id(int64_t producer_id, int16_t epoch) {
  producer_id_ = producer_id;
  epoch_ = epoch;
  waiting_for_new_id_.clear();
}

void ProducerSequences::stamp(ProducerBatch& batch) {
  assert(has_producer_id() && !is_resetting(batch.partition()));
  PartitionSequence& p = partitions_[batch.partition()];
  if (p.producer_id < 0) {
    p.producer_id = producer_id_;
    p.epoch = epoch_;
  }
  batch.stamp(p.producer_id, p.epoch, p.next_sequence);
  p.outstanding.insert(p.next_sequence);
  p.next_sequence = advance(p.next_sequence, batch.record_count());
}

void ProducerSequences::acknowledged(const ProducerBatch& batch) {
  abandoned(batch);
}

void ProducerSequences::abandoned(const ProducerBatch& batch) {
  auto it = partitions_.find(batch.partition());
  if (it == partitions_.end() || it->second.producer_id != batch.producer_id()) return;
  it->second.outstanding.erase(batch.base_sequence());
}

void ProducerSequences::split(const TopicPartition& partition, int64_t producer_id, int32_t base_sequence,
                              const std::vector<int32_t>& part_sequences) {
  auto it = partitions_.find(partition);
  if (it == partitions_.end() || it->second.producer_id != producer_id) return;
  it->second.outstanding.erase(base_sequence);
  it->second.outstanding.insert(part_sequences.begin(), part_sequences.end());
}

bool ProducerSequences::has_earlier_outstanding(const ProducerBatch& batch) const {
  auto it = partitions_.find(batch.partition());
  if (it == partitions_.end() || it->second.producer_id != batch.producer_id()) return false;
  const auto& outstanding = it->second.outstanding;
  return !outstanding.empty() && *outstanding.begin() < batch.base_sequence();
}

void ProducerSequences::reset(const TopicPartition& partition) {
  if (resetting_.contains(partition)) return;
  resetting_.insert(partition);
  waiting_for_new_id_.insert(partition);
}

bool ProducerSequences::is_resetting(const TopicPartition& partition) const {
  return resetting_.contains(partition);
}

std::vector<TopicPartition> ProducerSequences::ready_to_resume() {
  std::vector<TopicPartition> out;
  for (auto it = resetting_.begin(); it != resetting_.end();) {
    auto p = partitions_.find(*it);
    const bool idle = p == partitions_.end() || p->second.outstanding.empty();
    if (!waiting_for_new_id_.contains(*it) && idle) {
      partitions_.erase(*it);  // next stamp: the current (fresh) producer id, sequence 0
      out.push_back(*it);
      it = resetting_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

}  // namespace millrace::client::internal
