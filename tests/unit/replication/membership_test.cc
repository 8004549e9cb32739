// Membership: single-server changes — add a learner, promote it, remove a node, one change at a time.
#include <catch2/catch.hpp>

#include "millrace/replication/errc.h"
#include "test_cluster.h"

using namespace millrace;
using namespace millrace::replication;
using namespace millrace::replication::test;

namespace {

Configuration voters(std::vector<NodeId> v, std::vector<NodeId> learners = {}) {
  return Configuration{std::move(v), std::move(learners)};
}

}  // namespace

TEST_CASE("a new replica joins as a learner, catches up, and is promoted to voter") {
  TestCluster cluster(4, {}, 3);  // node 3 starts outside the group
  REQUIRE(cluster.elect(0));
  for (int i = 0; i < 3; ++i) REQUIRE(cluster.propose(0, "before " + std::to_string(i)).ok());
  cluster.isolate(3);
  auto added = cluster.node(0).propose_configuration_change({ConfigChangeKind::add_learner, NodeId{3}});
  REQUIRE(added.ok());
  cluster.deliver_all();
  CHECK(cluster.node(0).configuration() == voters({NodeId{0}, NodeId{1}, NodeId{2}}, {NodeId{3}}));
  // Not caught up (it is cut off): promotion is refused.
  auto early = cluster.node(0).propose_configuration_change({ConfigChangeKind::promote_learner, NodeId{3}});
  REQUIRE_FALSE(early.ok());
  CHECK(early.error().code == errc::learner_not_caught_up);
  cluster.heal();
  cluster.tick(0, kDefaultHeartbeatIntervalTicks);
  cluster.deliver_all();
  CHECK(cluster.log(3).entries() == cluster.log(0).entries());
  REQUIRE(cluster.node(0).propose_configuration_change({ConfigChangeKind::promote_learner, NodeId{3}}).ok());
  cluster.deliver_all();
  const Configuration four = voters({NodeId{0}, NodeId{1}, NodeId{2}, NodeId{3}});
  for (int i = 0; i < 4; ++i) CHECK(cluster.node(i).configuration() == four);
  // Four voters: the quorum is three.
  cluster.isolate(2);
  cluster.isolate(3);
  REQUIRE(cluster.node(0).propose(data_batch("needs three")).ok());
  cluster.deliver_all();
  CHECK(cluster.node(0).commit_end() < cluster.node(0).log_end());
}

TEST_CASE("one configuration change at a time, and not before the leader commits in its term") {
  TestCluster cluster(4, {}, 3);
  cluster.node(0).campaign();
  cluster.drain(0);
  cluster.deliver_all(false);  // elected, but its no-op is not durable anywhere yet
  REQUIRE(cluster.node(0).is_leader());
  auto too_soon = cluster.node(0).propose_configuration_change({ConfigChangeKind::add_learner, NodeId{3}});
  REQUIRE_FALSE(too_soon.ok());
  CHECK(too_soon.error().code == errc::configuration_change_in_progress);
  cluster.flush_all();
  cluster.deliver_all();
  REQUIRE(cluster.node(0).propose_configuration_change({ConfigChangeKind::add_learner, NodeId{3}}).ok());
  auto second = cluster.node(0).propose_configuration_change({ConfigChangeKind::remove_node, NodeId{2}});
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().code == errc::configuration_change_in_progress);
  cluster.deliver_all();
  CHECK(cluster.node(0).propose_configuration_change({ConfigChangeKind::remove_node, NodeId{2}}).ok());
}

TEST_CASE("a configuration takes effect when appended and goes away with a truncated suffix") {
  RaftConfig config;
  config.check_quorum = false;
  TestCluster cluster(3, config);
  REQUIRE(cluster.elect(0));
  cluster.isolate(0);
  REQUIRE(cluster.node(0).propose_configuration_change({ConfigChangeKind::remove_node, NodeId{2}}).ok());
  cluster.drain(0);
  CHECK(cluster.node(0).configuration().voters.size() == 2);  // in force before it commits
  REQUIRE(cluster.elect(1));
  REQUIRE(cluster.propose(1, "other").ok());
  cluster.heal();
  cluster.tick(1, kDefaultHeartbeatIntervalTicks);
  cluster.deliver_all();
  CHECK(cluster.node(0).configuration() == voters({NodeId{0}, NodeId{1}, NodeId{2}}));
}

TEST_CASE("a leader that removes itself steps down once the removal commits") {
  TestCluster cluster(3);
  REQUIRE(cluster.elect(0));
  REQUIRE(cluster.propose(0, "a").ok());
  REQUIRE(cluster.node(0).propose_configuration_change({ConfigChangeKind::remove_node, NodeId{0}}).ok());
  cluster.deliver_all();
  CHECK_FALSE(cluster.node(0).is_leader());
  CHECK(cluster.node(1).configuration() == voters({NodeId{1}, NodeId{2}}));
  // The remaining two elect a leader; the removed node never campaigns.
  for (int t = 0;
       t < 4 * kDefaultElectionTimeoutTicks && !cluster.node(1).is_leader() && !cluster.node(2).is_leader();
       ++t) {
    cluster.tick_all();
    cluster.deliver_all();
  }
  CHECK((cluster.node(1).is_leader() || cluster.node(2).is_leader()));
  CHECK(cluster.node(0).role() == Role::follower);
}

TEST_CASE("configuration changes are checked") {
  const Configuration three = Configuration::of_voters({NodeId{2}, NodeId{0}, NodeId{1}});
  CHECK(three.voters == std::vector<NodeId>{NodeId{0}, NodeId{1}, NodeId{2}});
  CHECK(three.quorum() == 2);
  CHECK_FALSE(three.apply({ConfigChangeKind::add_learner, NodeId{1}}).ok());
  CHECK_FALSE(three.apply({ConfigChangeKind::promote_learner, NodeId{1}}).ok());
  CHECK_FALSE(three.apply({ConfigChangeKind::remove_node, NodeId{5}}).ok());
  CHECK_FALSE(Configuration::of_voters({NodeId{0}}).apply({ConfigChangeKind::remove_node, NodeId{0}}).ok());
  auto four = three.apply({ConfigChangeKind::add_learner, NodeId{3}});
  REQUIRE(four.ok());
  CHECK(four->is_learner(NodeId{3}));
  CHECK(four->quorum() == 2);
  auto decoded = Configuration::decode(four->encode());
  REQUIRE(decoded.ok());
  CHECK(*decoded == *four);
  Buffer bad = four->encode();
  bad.pop_back();
  CHECK_FALSE(Configuration::decode(bad).ok());
}
