#pragma once
// NullKeyPartitioner: picks the partition of records without a key (and without an explicit partition).
//  - sticky: every such record of a topic goes to the same partition while the batch it started filling
//    there is still open; once that batch is closed (drained for sending, or full) the next record picks
//    another partition at random. Few, large batches at low latency: Kafka's sticky partitioner (KIP-480).
//  - round_robin: record by record through the candidates.
// Pure and not thread-safe (the producer guards it with its mutex).
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "millrace/client/partitioner.h"
#include "string_hash.h"

namespace millrace::client::internal {

class NullKeyPartitioner {
 public:
  NullKeyPartitioner(NullKeyPartitioning mode, uint64_t seed);

  // `candidates` is non-empty: the partitions that have a leader (or all, if none has). `batch_open`:
  // bool(PartitionId partition, uint64_t batch_id), whether that batch of the partition still takes the
  // record (RecordAccumulator::batch_accepts). A template rather than a std::function: the producer's
  // predicate captures more than a std::function holds without allocating, and this runs per record.
  template <class BatchOpen>
  PartitionId choose(std::string_view topic, const std::vector<PartitionId>& candidates,
                     const BatchOpen& batch_open) {
    if (mode_ == NullKeyPartitioning::round_robin) return next_round_robin(topic, candidates);
    const Sticky* sticky = find_sticky(topic);
    if (sticky != nullptr && is_candidate(candidates, sticky->partition) &&
        batch_open(sticky->partition, sticky->batch_id)) {
      return sticky->partition;
    }
    return pick_other(candidates, sticky != nullptr ? sticky->partition : PartitionId{-1});
  }
  // Reports where the record went: sticky mode stays with this batch.
  void appended(std::string_view topic, PartitionId partition, uint64_t batch_id);

 private:
  struct Sticky {
    PartitionId partition{-1};
    uint64_t batch_id = 0;
  };

  PartitionId next_round_robin(std::string_view topic, const std::vector<PartitionId>& candidates);
  static bool is_candidate(const std::vector<PartitionId>& candidates, PartitionId partition);
  PartitionId pick_other(const std::vector<PartitionId>& candidates, PartitionId previous);
  // The topic's entry (null if it has none yet), remembering the last one: a producer's records mostly
  // name the topic of the record before.
  Sticky* find_sticky(std::string_view topic);

  NullKeyPartitioning mode_;
  std::unordered_map<std::string, Sticky, StringHash, std::equal_to<>> sticky_;  // never removes an entry
  const std::string* last_topic_ = nullptr;  // the key of last_sticky_ (nodes do not move)
  Sticky* last_sticky_ = nullptr;
  std::unordered_map<std::string, uint64_t, StringHash, std::equal_to<>> round_robin_next_;
  std::mt19937_64 random_;
};

}  // namespace millrace::client::internal
