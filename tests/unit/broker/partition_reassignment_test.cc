// Partition reassignment: the controller's validation and the leader's change sequence, the latter driven
// through real Raft nodes (the replication tests' TestCluster) including a leader failover midway and a
// leader that leaves the replica set.
#include <catch2/catch.hpp>

#include "../replication/test_cluster.h"
#include "millrace/broker/partition_reassignment.h"
#include "millrace/protocol/errc.h"

using namespace millrace;
using namespace millrace::broker;
using millrace::replication::ConfigChangeKind;
using millrace::replication::Configuration;
using millrace::replication::test::TestCluster;
using Kind = ReassignmentStep::Kind;

namespace {

Configuration config(std::vector<int32_t> voters, std::vector<int32_t> learners = {}) {
  Configuration c;
  for (int32_t v : voters) c.voters.push_back(NodeId{v});
  for (int32_t l : learners) c.learners.push_back(NodeId{l});
  return c;
}

// The leader of the newest term (an isolated old leader may still think it leads).
std::optional<int> leader_of(TestCluster& cluster) {
  std::optional<int> found;
  for (int i = 0; i < cluster.size(); ++i) {
    if (cluster.node(i).is_leader() && (!found || cluster.node(i).term() > cluster.node(*found).term()))
      found = i;
  }
  return found;
}

// Lets time pass until some node leads (or gives up).
std::optional<int> settle(TestCluster& cluster) {
  for (int t = 0; t < 10 * replication::kDefaultElectionTimeoutTicks && !leader_of(cluster); ++t) {
    cluster.tick_all();
    cluster.deliver_all();
  }
  return leader_of(cluster);
}

// What the partition leader does each tick (PartitionManager::drive_reassignments), on the test cluster:
// returns the steps taken, in order, once the leader's committed configuration reaches the target.
std::vector<ReassignmentStep> drive(TestCluster& cluster, const std::vector<int32_t>& target,
                                    int max_rounds = 200) {
  std::vector<ReassignmentStep> taken;
  for (int round = 0; round < max_rounds; ++round) {
    auto leader = settle(cluster);
    REQUIRE(leader);
    auto& node = cluster.node(*leader);
    if (node.configuration_committed()) {
      const ReassignmentStep step = next_reassignment_step(node.configuration(), target, node.id());
      if (step.kind == Kind::done) return taken;
      if (step.kind == Kind::transfer_leadership) {
        if (node.transfer_leadership(step.node).ok()) taken.push_back(step);
      } else {
        const auto kind = step.kind == Kind::add_learner       ? ConfigChangeKind::add_learner
                          : step.kind == Kind::promote_learner ? ConfigChangeKind::promote_learner
                                                               : ConfigChangeKind::remove_node;
        if (node.propose_configuration_change({kind, step.node}).ok()) taken.push_back(step);
      }
    }
    cluster.deliver_all();
    cluster.tick_all();
    cluster.deliver_all();
  }
  FAIL("the reassignment did not finish");
  return taken;
}

}  // namespace

TEST_CASE("reassignment requests are validated") {
  const std::vector<int32_t> brokers{0, 1, 2, 3};
  CHECK(validate_reassignment("t-0", {0, 1, 3}, brokers, false).ok());
  auto empty = validate_reassignment("t-0", {}, brokers, false);
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().code == protocol::errc::invalid_replica_assignment);
  auto twice = validate_reassignment("t-0", {0, 1, 1}, brokers, false);
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().code == protocol::errc::invalid_replica_assignment);
  CHECK_THAT(twice.error().message, Catch::Contains("listed twice"));
  auto unknown = validate_reassignment("t-0", {0, 1, 7}, brokers, false);
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == protocol::errc::invalid_replica_assignment);
  CHECK_THAT(unknown.error().message, Catch::Contains("broker 7"));
  auto busy = validate_reassignment("t-0", {0, 1, 3}, brokers, true);
  REQUIRE_FALSE(busy.ok());
  CHECK(busy.error().code == protocol::errc::reassignment_in_progress);
  CHECK(static_cast<int>(protocol::errc::invalid_replica_assignment) == 39);
  CHECK(static_cast<int>(protocol::errc::reassignment_in_progress) == 60);
}

TEST_CASE("the next reassignment step, one server at a time") {
  const NodeId self{0};
  // Replace 2 by 3: add 3 as a learner, promote it, remove 2.
  CHECK(next_reassignment_step(config({0, 1, 2}), {0, 1, 3}, self) ==
        ReassignmentStep{Kind::add_learner, NodeId{3}});
  CHECK(next_reassignment_step(config({0, 1, 2}, {3}), {0, 1, 3}, self) ==
        ReassignmentStep{Kind::promote_learner, NodeId{3}});
  CHECK(next_reassignment_step(config({0, 1, 2, 3}), {0, 1, 3}, self) ==
        ReassignmentStep{Kind::remove_node, NodeId{2}});
  CHECK(next_reassignment_step(config({0, 1, 3}), {0, 1, 3}, self).kind == Kind::done);
  // A learner that is not wanted goes first.
  CHECK(next_reassignment_step(config({0, 1, 2}, {4}), {0, 1, 3}, self) ==
        ReassignmentStep{Kind::remove_node, NodeId{4}});
  // The leader leaves: the others are removed first, then it hands over to the preferred replica.
  CHECK(next_reassignment_step(config({0, 1, 2, 3}), {3, 1, 2}, self) ==
        ReassignmentStep{Kind::transfer_leadership, NodeId{3}});
  CHECK(reached_target(config({1, 2, 3}), {3, 2, 1}));
  CHECK_FALSE(reached_target(config({1, 2, 3}, {4}), {1, 2, 3}));
  CHECK_FALSE(reached_target(config({1, 2}), {1, 2, 3}));
  CHECK(replicas_adding({0, 1, 2}, {0, 3, 1}) == std::vector<int32_t>{3});
  CHECK(replicas_removing({0, 1, 2}, {0, 3, 1}) == std::vector<int32_t>{2});
}

TEST_CASE("a Raft group moves from replicas 0 1 2 to 0 1 3") {
  TestCluster cluster(4, {}, 3);  // node 3 starts outside the group, as a new replica does
  REQUIRE(cluster.elect(0));
  REQUIRE(cluster.propose(0, "before").ok());
  const auto steps = drive(cluster, {0, 1, 3});
  CHECK(steps == std::vector<ReassignmentStep>{{Kind::add_learner, NodeId{3}},
                                               {Kind::promote_learner, NodeId{3}},
                                               {Kind::remove_node, NodeId{2}}});
  for (int i : {0, 1, 3}) CHECK(cluster.node(i).configuration() == config({0, 1, 3}));
  CHECK(cluster.log(3).entries() == cluster.log(0).entries());
}

TEST_CASE("a reassignment that removes the leader hands leadership over first") {
  TestCluster cluster(4, {}, 3);
  REQUIRE(cluster.elect(0));
  REQUIRE(cluster.propose(0, "before").ok());
  const auto steps = drive(cluster, {1, 2, 3});
  REQUIRE(steps.size() == 4);
  CHECK(steps[2] == ReassignmentStep{Kind::transfer_leadership, NodeId{1}});
  CHECK(steps[3] == ReassignmentStep{Kind::remove_node, NodeId{0}});
  const auto leader = leader_of(cluster);
  REQUIRE(leader);
  CHECK(*leader != 0);
  CHECK(cluster.node(*leader).configuration() == config({1, 2, 3}));
}

TEST_CASE("a new leader continues a reassignment from the configuration in its log") {
  TestCluster cluster(4, {}, 3);
  REQUIRE(cluster.elect(0));
  REQUIRE(cluster.propose(0, "before").ok());
  REQUIRE(cluster.node(0).propose_configuration_change({ConfigChangeKind::add_learner, NodeId{3}}).ok());
  cluster.deliver_all();
  REQUIRE(cluster.node(1).configuration() == config({0, 1, 2}, {3}));
  // The leader dies midway; another one takes over and finishes the move.
  cluster.isolate(0);
  const auto steps = drive(cluster, {1, 2, 3});
  CHECK(steps.front() == ReassignmentStep{Kind::promote_learner, NodeId{3}});
  const auto leader = leader_of(cluster);
  REQUIRE(leader);
  CHECK(*leader != 0);
  CHECK(cluster.node(*leader).configuration() == config({1, 2, 3}));
}
