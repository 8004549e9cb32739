// Leadership transfer: catch the target up, TimeoutNow, and no proposals meanwhile.
#include <catch2/catch.hpp>

#include "millrace/replication/errc.h"
#include "test_cluster.h"

using namespace millrace;
using namespace millrace::replication;
using namespace millrace::replication::test;

TEST_CASE("leadership moves to an up-to-date target at once") {
  TestCluster cluster(3);
  REQUIRE(cluster.elect(0));
  REQUIRE(cluster.propose(0, "a").ok());
  REQUIRE(cluster.node(0).transfer_leadership(NodeId{2}).ok());
  cluster.deliver_all();
  CHECK(cluster.node(2).is_leader());
  CHECK(cluster.node(2).term() == Term{2});
  CHECK(cluster.node(0).leader() == NodeId{2});
}

TEST_CASE("a lagging target is caught up first, and proposals wait for the transfer") {
  TestCluster cluster(3);
  REQUIRE(cluster.elect(0));
  cluster.isolate(2);
  for (int i = 0; i < 3; ++i) REQUIRE(cluster.propose(0, "b" + std::to_string(i)).ok());
  cluster.heal();
  REQUIRE(cluster.node(0).transfer_leadership(NodeId{2}).ok());
  auto refused = cluster.node(0).propose(data_batch("during"));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == errc::leadership_transfer_in_progress);
  cluster.tick(0, kDefaultHeartbeatIntervalTicks);
  cluster.deliver_all();
  CHECK(cluster.node(2).is_leader());
  CHECK(cluster.log(2).end_offset() >= cluster.log(0).end_offset());
}

TEST_CASE("a transfer to an unreachable target times out and the leader carries on") {
  TestCluster cluster(3);
  REQUIRE(cluster.elect(0));
  cluster.isolate(2);
  REQUIRE(cluster.node(0).transfer_leadership(NodeId{2}).ok());
  cluster.deliver_all();
  for (int t = 0; t < kDefaultElectionTimeoutTicks; ++t) {
    cluster.tick(0);
    cluster.deliver_all();
  }
  CHECK(cluster.node(0).is_leader());
  CHECK(cluster.propose(0, "after").ok());
}

TEST_CASE("only a leader transfers, and only to a voter") {
  TestCluster cluster(3);
  REQUIRE(cluster.elect(0));
  CHECK(cluster.node(1).transfer_leadership(NodeId{2}).error().code == errc::not_leader);
  CHECK(cluster.node(0).transfer_leadership(NodeId{7}).error().code == errc::invalid_argument);
}
