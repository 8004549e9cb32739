#include "millrace/broker/replica_placement.h"

#include <algorithm>
#include <cassert>
#include <map>
#include <set>

namespace millrace::broker {

std::vector<PlacementBroker> rack_alternating_order(std::vector<PlacementBroker> brokers) {
  std::map<std::string, std::vector<PlacementBroker>> by_rack;
  for (auto& b : brokers) by_rack[b.rack].push_back(std::move(b));
  for (auto& [rack, members] : by_rack) {
    std::sort(members.begin(), members.end(),
              [](const auto& a, const auto& b) { return a.node_id < b.node_id; });
  }
  std::vector<PlacementBroker> out;
  for (size_t round = 0; out.size() < brokers.size(); ++round) {
    for (const auto& [rack, members] : by_rack) {
      if (round < members.size()) out.push_back(members[round]);
    }
  }
  return out;
}

std::vector<std::vector<int32_t>> place_replicas(const std::vector<PlacementBroker>& brokers, size_t start,
                                                 int32_t first_partition, int32_t count,
                                                 int32_t replication_factor) {
  assert(replication_factor >= 1 && static_cast<size_t>(replication_factor) <= brokers.size());
  const std::vector<PlacementBroker> order = rack_alternating_order(brokers);
  const size_t n = order.size();
  std::set<std::string> all_racks;
  for (const auto& b : order) all_racks.insert(b.rack);
  std::vector<std::vector<int32_t>> out;
  for (int32_t p = first_partition; p < first_partition + count; ++p) {
    const size_t first = (start + static_cast<size_t>(p)) % n;
    std::vector<int32_t> replicas{order[first].node_id};
    std::set<std::string> racks_used{order[first].rack};
    std::vector<bool> taken(n, false);
    taken[first] = true;
    // Two passes over the order: the first honours rack spreading, the second fills what is left.
    for (int pass = 0; pass < 2 && replicas.size() < static_cast<size_t>(replication_factor); ++pass) {
      for (size_t step = 1; step < n && replicas.size() < static_cast<size_t>(replication_factor); ++step) {
        const size_t i = (first + step) % n;
        if (taken[i]) continue;
        const bool rack_free = racks_used.count(order[i].rack) == 0 || racks_used.size() == all_racks.size();
        if (pass == 0 && !rack_free) continue;
        taken[i] = true;
        replicas.push_back(order[i].node_id);
        racks_used.insert(order[i].rack);
      }
    }
    out.push_back(std::move(replicas));
  }
  return out;
}

}  // namespace millrace::broker
