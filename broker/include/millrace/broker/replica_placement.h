#pragma once
// Replica placement for new partitions (the controller's topic create and add partitions), modelled on
// Kafka's rack-aware assignment:
//   1. the candidate brokers are put in rack-alternating order: racks sorted by name, each rack's brokers by
//      node id, then one broker of each rack in turn (racks a:[0,3] b:[1,4] c:[2] give 0 1 2 3 4);
//   2. partition p's first replica (its preferred leader) is the broker at position (start + p) mod n, so
//      leaders go round-robin over the brokers and racks;
//   3. the other replicas follow in that order, skipping a broker whose rack already holds a replica of the
//      partition while some rack holds none.
// Brokers without a rack count as one rack named "", so with no racks set this is plain round-robin.
// Pure: no I/O, deterministic.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace millrace::broker {

struct PlacementBroker {
  int32_t node_id = 0;
  std::string rack;
};

std::vector<PlacementBroker> rack_alternating_order(std::vector<PlacementBroker> brokers);

// Replica lists (preferred leader first) for partitions [first_partition, first_partition + count).
// Requires 1 <= replication_factor <= brokers.size().
std::vector<std::vector<int32_t>> place_replicas(const std::vector<PlacementBroker>& brokers, size_t start,
                                                 int32_t first_partition, int32_t count,
                                                 int32_t replication_factor);

}  // namespace millrace::broker
