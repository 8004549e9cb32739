#include "millrace/broker/producer_state_table.h"

#include <limits>
#include <string>

#include "millrace/protocol/errc.h"

namespace millrace::broker {

using protocol::errc;

namespace {

std::string describe(const ProducerBatchInfo& b) {
  return "producer " + std::to_string(b.producer_id) + " epoch " + std::to_string(b.epoch) + " sequences " +
         std::to_string(b.first_sequence) + ".." + std::to_string(b.last_sequence);
}

}  // namespace

int32_t advance_sequence(int32_t sequence, int64_t count) {
  constexpr int64_t kSpan = int64_t{std::numeric_limits<int32_t>::max()} + 1;
  return static_cast<int32_t>((int64_t{sequence} + count) % kSpan);
}

ProducerBatchInfo ProducerBatchInfo::from_header(const protocol::RecordBatchHeader& header) {
  ProducerBatchInfo info;
  info.producer_id = header.producer_id;
  info.epoch = header.producer_epoch;
  info.first_sequence = header.base_sequence;
  info.last_sequence = header.base_sequence < 0
                           ? header.base_sequence
                           : advance_sequence(header.base_sequence, header.last_offset_delta);
  info.max_timestamp_ms = header.max_timestamp_ms;
  return info;
}

Result<SequenceCheck> ProducerStateTable::check(const ProducerBatchInfo& batch) const {
  if (!batch.idempotent()) return SequenceCheck{};
  if (batch.producer_id < 0 || batch.epoch < 0 || batch.first_sequence < 0) {
    return make_error(errc::invalid_record, "invalid idempotent batch: " + describe(batch));
  }
  auto it = producers_.find(batch.producer_id);
  if (it == producers_.end()) {
    if (batch.first_sequence == 0) return SequenceCheck{};
    return make_error(errc::unknown_producer_id,
                      describe(batch) +
                          ": no state for this producer (expired or never seen), and the batch "
                          "does not start at sequence 0");
  }
  const ProducerEntry& entry = it->second;
  if (batch.epoch < entry.epoch) {
    return make_error(errc::invalid_producer_epoch,
                      describe(batch) + ": epoch is older than the current " + std::to_string(entry.epoch));
  }
  if (batch.epoch > entry.epoch || entry.batches.empty()) {
    if (batch.first_sequence == 0) return SequenceCheck{};
    return make_error(errc::out_of_order_sequence_number,
                      describe(batch) + ": the first batch of an epoch must start at sequence 0");
  }
  for (const ProducerBatchRange& kept : entry.batches) {
    if (kept.first_sequence == batch.first_sequence && kept.last_sequence == batch.last_sequence) {
      return SequenceCheck{kept};
    }
  }
  const int32_t expected = advance_sequence(entry.batches.back().last_sequence, 1);
  if (batch.first_sequence == expected) return SequenceCheck{};
  return make_error(errc::out_of_order_sequence_number,
                    describe(batch) + ": expected sequence " + std::to_string(expected));
}

void ProducerStateTable::record(const ProducerBatchInfo& batch, Offset first_offset, Offset last_offset) {
  if (!batch.idempotent()) return;
  ProducerEntry& entry = producers_[batch.producer_id];
  if (batch.epoch != entry.epoch) entry.batches.clear();
  entry.epoch = batch.epoch;
  entry.last_timestamp_ms = batch.max_timestamp_ms;
  entry.batches.push_back({batch.first_sequence, batch.last_sequence, first_offset, last_offset});
  while (entry.batches.size() > kProducerBatchesRetained) entry.batches.pop_front();
}

size_t ProducerStateTable::expire(int64_t now_ms, int64_t expiration_ms) {
  size_t removed = 0;
  for (auto it = producers_.begin(); it != producers_.end();) {
    if (now_ms - it->second.last_timestamp_ms >= expiration_ms) {
      it = producers_.erase(it);
      ++removed;
    } else {
      ++it;
    }
  }
  return removed;
}

void ProducerStateTable::restore(int64_t producer_id, ProducerEntry entry) {
  while (entry.batches.size() > kProducerBatchesRetained) entry.batches.pop_front();
  producers_[producer_id] = std::move(entry);
}

}  // namespace millrace::broker
