// Replica placement: rack-alternating order, each partition's replicas on distinct racks, leaders
// round-robin.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "millrace/broker/replica_placement.h"

using namespace millrace::broker;

namespace {

std::map<int32_t, std::string> racks_of(const std::vector<PlacementBroker>& brokers) {
  std::map<int32_t, std::string> out;
  for (const auto& b : brokers) out[b.node_id] = b.rack;
  return out;
}

}  // namespace

TEST_CASE("brokers are ordered one rack at a time") {
  const std::vector<PlacementBroker> brokers{{4, "b"}, {0, "a"}, {2, "c"}, {3, "a"}, {1, "b"}};
  std::vector<int32_t> order;
  for (const auto& b : rack_alternating_order(brokers)) order.push_back(b.node_id);
  CHECK(order == std::vector<int32_t>{0, 1, 2, 3, 4});
}

TEST_CASE("with racks every partition's replicas land on distinct racks and leaders rotate") {
  // Two brokers in each of three racks, listed so that plain id order would put 0 and 1 in one rack.
  const std::vector<PlacementBroker> brokers{{0, "r1"}, {1, "r1"}, {2, "r2"},
                                             {3, "r2"}, {4, "r3"}, {5, "r3"}};
  const auto racks = racks_of(brokers);
  const auto placed = place_replicas(brokers, 0, 0, 12, 3);
  REQUIRE(placed.size() == 12);
  std::map<int32_t, int> leaders;
  for (const auto& replicas : placed) {
    REQUIRE(replicas.size() == 3);
    std::set<std::string> distinct_racks;
    std::set<int32_t> distinct_nodes(replicas.begin(), replicas.end());
    for (int32_t r : replicas) distinct_racks.insert(racks.at(r));
    CHECK(distinct_racks.size() == 3);
    CHECK(distinct_nodes.size() == 3);
    ++leaders[replicas.front()];
  }
  CHECK(leaders.size() == 6);
  for (const auto& [node, count] : leaders) CHECK(count == 2);
}

TEST_CASE("more replicas than racks: racks are used once each, then the rest fill in") {
  const std::vector<PlacementBroker> brokers{{0, "a"}, {1, "a"}, {2, "b"}, {3, "b"}};
  const auto racks = racks_of(brokers);
  for (const auto& replicas : place_replicas(brokers, 1, 0, 8, 3)) {
    REQUIRE(replicas.size() == 3);
    CHECK(std::set<int32_t>(replicas.begin(), replicas.end()).size() == 3);
    CHECK(racks.at(replicas[0]) != racks.at(replicas[1]));  // the first two cover both racks
  }
}

TEST_CASE("without racks placement is round-robin over the brokers") {
  const std::vector<PlacementBroker> brokers{{2, ""}, {0, ""}, {1, ""}};
  const auto placed = place_replicas(brokers, 1, 0, 3, 2);
  CHECK(placed == std::vector<std::vector<int32_t>>{{1, 2}, {2, 0}, {0, 1}});
  // Added partitions continue the rotation.
  CHECK(place_replicas(brokers, 1, 3, 1, 2) == std::vector<std::vector<int32_t>>{{1, 2}});
}
