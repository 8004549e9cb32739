#include "null_key_partitioner.h"

#include <algorithm>
#include <cassert>

namespace millrace::client::internal {

NullKeyPartitioner::NullKeyPartitioner(NullKeyPartitioning mode, uint64_t seed)
    : mode_(mode), random_(seed) {}

NullKeyPartitioner::Sticky* NullKeyPartitioner::find_sticky(std::string_view topic) {
  if (last_sticky_ != nullptr && *last_topic_ == topic) return last_sticky_;
  auto it = sticky_.find(topic);
  if (it == sticky_.end()) return nullptr;
  last_topic_ = &it->first;
  last_sticky_ = &it->second;
  return last_sticky_;
}

PartitionId NullKeyPartitioner::next_round_robin(std::string_view topic,
                                                 const std::vector<PartitionId>& candidates) {
  assert(!candidates.empty());
  auto it = round_robin_next_.find(topic);  // the name is copied only for a topic's first record
  if (it == round_robin_next_.end()) it = round_robin_next_.emplace(std::string(topic), 0).first;
  return candidates[it->second++ % candidates.size()];
}

bool NullKeyPartitioner::is_candidate(const std::vector<PartitionId>& candidates, PartitionId partition) {
  return std::find(candidates.begin(), candidates.end(), partition) != candidates.end();
}

void NullKeyPartitioner::appended(std::string_view topic, PartitionId partition, uint64_t batch_id) {
  if (mode_ != NullKeyPartitioning::sticky) return;
  if (Sticky* sticky = find_sticky(topic)) {
    *sticky = Sticky{partition, batch_id};
  } else {
    sticky_.emplace(std::string(topic), Sticky{partition, batch_id});
  }
}

PartitionId NullKeyPartitioner::pick_other(const std::vector<PartitionId>& candidates, PartitionId previous) {
  assert(!candidates.empty());
  if (candidates.size() == 1) return candidates.front();
  const bool previous_present = is_candidate(candidates, previous);
  const size_t choices = candidates.size() - (previous_present ? 1 : 0);
  size_t pick = std::uniform_int_distribution<size_t>(0, choices - 1)(random_);
  for (const PartitionId p : candidates) {
    if (p == previous) continue;
    if (pick-- == 0) return p;
  }
  return candidates.front();  // unreachable
}

}  // namespace millrace::client::internal
