#include "null_key_partitioner.h"

#include <algorithm>
#include <cassert>

namespace millrace::client::internal {

NullKeyPartitioner::NullKeyPartitioner(NullKeyPartitioning mode, uint64_t seed)
    : mode_(mode), random_(seed) {}

PartitionId NullKeyPartitioner::choose(const std::string& topic, const std::vector<PartitionId>& candidates,
                                       const BatchOpen& batch_open) {
  assert(!candidates.empty());
  if (mode_ == NullKeyPartitioning::round_robin) {
    uint64_t& next = round_robin_next_[topic];
    return candidates[next++ % candidates.size()];
  }
  auto it = sticky_.find(topic);
  if (it != sticky_.end()) {
    const Sticky& s = it->second;
    const bool still_candidate =
        std::find(candidates.begin(), candidates.end(), s.partition) != candidates.end();
    if (still_candidate && batch_open(s.partition, s.batch_id)) return s.partition;
    return pick_other(candidates, s.partition);
  }
  return pick_other(candidates, PartitionId{-1});
}

void NullKeyPartitioner::appended(const std::string& topic, PartitionId partition, uint64_t batch_id) {
  if (mode_ == NullKeyPartitioning::sticky) sticky_[topic] = Sticky{partition, batch_id};
}

PartitionId NullKeyPartitioner::pick_other(const std::vector<PartitionId>& candidates, PartitionId previous) {
  if (candidates.size() == 1) return candidates.front();
  const bool previous_present = std::find(candidates.begin(), candidates.end(), previous) != candidates.end();
  const size_t choices = candidates.size() - (previous_present ? 1 : 0);
  size_t pick = std::uniform_int_distribution<size_t>(0, choices - 1)(random_);
  for (const PartitionId p : candidates) {
    if (p == previous) continue;
    if (pick-- == 0) return p;
  }
  return candidates.front();  // unreachable
}

}  // namespace millrace::client::internal
