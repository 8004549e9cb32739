#pragma once
// ProducerSequences: an idempotent producer's identity and per-partition sequence numbers. Pure: no I/O,
// no locking (the producer's mutex guards it, as it does the accumulator).
//
// Contract:
//  - The producer id and epoch come from the broker (InitProducerId). Until there is one, nothing is sent.
//  - stamp() gives a batch the next sequence numbers of its partition, under the partition's producer id:
//    the id current when the partition first sent, until the partition is reset.
//  - Every stamped batch is outstanding until acknowledged() or abandoned(); has_earlier_outstanding() says
//    whether an OUT_OF_ORDER_SEQUENCE_NUMBER answer is explained by an earlier batch still on its way.
//  - reset(partition): a stamped batch failed for good, so the broker will never see its sequence numbers:
//    the partition needs a fresh producer id (and starts again at sequence 0) before it sends anything
//    more. needs_new_id() stays true until set_producer_id() delivers one; reset partitions adopt it once
//    they have nothing outstanding (ready_to_resume()).
#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "millrace/client/topic_partition.h"
#include "producer_batch.h"

namespace millrace::client::internal {

class ProducerSequences {
 public:
  bool has_producer_id() const { return producer_id_ >= 0; }
  bool needs_new_id() const { return !has_producer_id() || !waiting_for_new_id_.empty(); }
  int64_t producer_id() const { return producer_id_; }
  void set_producer_id(int64_t producer_id, int16_t epoch);

  void stamp(ProducerBatch& batch);
  void acknowledged(const ProducerBatch& batch);
  void abandoned(const ProducerBatch& batch);
  bool has_earlier_outstanding(const ProducerBatch& batch) const;
  // The batch of `partition` stamped with `producer_id` and `base_sequence` was split into parts stamped
  // with its sequence numbers, starting at `part_sequences`: they are outstanding instead of it.
  void split(const TopicPartition& partition, int64_t producer_id, int32_t base_sequence,
             const std::vector<int32_t>& part_sequences);

  void reset(const TopicPartition& partition);
  bool is_resetting(const TopicPartition& partition) const;
  // Reset partitions that now have a fresh producer id and nothing outstanding; they start at sequence 0
  // and are no longer resetting.
  std::vector<TopicPartition> ready_to_resume();

 private:
  struct PartitionSequence {
    int64_t producer_id = -1;
    int16_t epoch = -1;
    int32_t next_sequence = 0;
    std::set<int32_t> outstanding;  // base sequences of stamped, unanswered batches
  };

  int64_t producer_id_ = -1;
  int16_t epoch_ = -1;
  std::map<TopicPartition, PartitionSequence> partitions_;
  std::set<TopicPartition> waiting_for_new_id_;  // reset; the current producer id is the one they gave up
  std::set<TopicPartition> resetting_;  // reset; resume once nothing is outstanding and a new id came
};

}  // namespace millrace::client::internal
