// Leader election: pre-vote, randomized timeouts, persisted votes, leader lease and check-quorum.
#include <set>

#include <catch2/catch.hpp>

#include "test_cluster.h"

using namespace millrace;
using namespace millrace::replication;
using namespace millrace::replication::test;

TEST_CASE("a single voter elects itself on its first timeout") {
  TestCluster cluster(1);
  cluster.tick(0, 2 * kDefaultElectionTimeoutTicks);
  CHECK(cluster.node(0).is_leader());
  CHECK(cluster.node(0).term() == Term{1});
  CHECK(cluster.store(0).load()->voted_for == NodeId{0});
}

TEST_CASE("three nodes elect one leader, which every node then follows") {
  TestCluster cluster(3);
  REQUIRE(cluster.elect(1));
  for (int i = 0; i < 3; ++i) {
    CHECK(cluster.node(i).term() == Term{1});
    CHECK(cluster.node(i).leader() == NodeId{1});
  }
  CHECK_FALSE(cluster.node(0).is_leader());
  CHECK_FALSE(cluster.node(2).is_leader());
}

TEST_CASE("term and vote are in the Ready before the vote response that depends on them") {
  TestCluster cluster(3);
  cluster.node(0).campaign();
  cluster.drain(0);
  // Deliver only the real vote request (after the pre-vote round) to node 1 and inspect its Ready.
  cluster.deliver_all();
  bool saw_vote = false;
  for (const Ready& ready : cluster.readies(1)) {
    for (const Message& message : ready.messages) {
      const auto* response = std::get_if<VoteResponse>(&message.body);
      if (response == nullptr || response->pre_vote || !response->granted) continue;
      saw_vote = true;
      REQUIRE(ready.hard_state.has_value());  // persisted first, by the driver's contract
      CHECK(ready.hard_state->voted_for == NodeId{0});
      CHECK(ready.hard_state->term == response->term);
    }
  }
  CHECK(saw_vote);
}

TEST_CASE("a node grants at most one vote per term") {
  RaftConfig config;
  config.pre_vote = false;
  TestCluster cluster(3, config);
  cluster.node(0).campaign();
  cluster.node(1).campaign();  // both candidates in term 1, both asking node 2
  cluster.drain_all();
  cluster.deliver_all();
  int granted = 0;
  for (const Message& message : cluster.sent(2)) {
    const auto* response = std::get_if<VoteResponse>(&message.body);
    if (response != nullptr && response->granted && response->term == Term{1}) ++granted;
  }
  CHECK(granted == 1);
  CHECK(cluster.node(0).is_leader() != cluster.node(1).is_leader());
}

TEST_CASE("a voter refuses a candidate whose log is behind its own") {
  RaftConfig config;
  config.pre_vote = false;
  config.check_quorum = false;
  TestCluster cluster(3, config);
  REQUIRE(cluster.elect(0));
  cluster.isolate(2);
  REQUIRE(cluster.propose(0, "missed by node 2").ok());
  cluster.heal();
  cluster.isolate(0);
  cluster.node(2).campaign();  // term 2; node 1 holds an entry node 2 lacks
  cluster.deliver_all();
  CHECK_FALSE(cluster.node(2).is_leader());
  CHECK(cluster.node(1).term() == Term{2});  // it did learn the newer term
  cluster.node(1).campaign();                // term 3: node 2 votes for the more up-to-date log
  cluster.deliver_all();
  CHECK(cluster.node(1).is_leader());
}

TEST_CASE("election timeouts are randomized between T and 2T and depend on the seed") {
  std::set<int> timeouts;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    RaftConfig config;
    config.random_seed = seed;
    TestCluster cluster(3, config);
    int ticks = 0;
    while (cluster.node(0).role() == Role::follower) {
      cluster.node(0).tick();
      ++ticks;
    }
    CHECK(ticks >= kDefaultElectionTimeoutTicks);
    CHECK(ticks < 2 * kDefaultElectionTimeoutTicks);
    timeouts.insert(ticks);
  }
  CHECK(timeouts.size() > 3);
}

TEST_CASE("pre-vote: a partitioned node does not raise its term, and cannot disrupt a stable leader") {
  TestCluster cluster(3);
  REQUIRE(cluster.elect(0));
  cluster.isolate(2);
  for (int round = 0; round < 10; ++round) {
    cluster.tick(2, 2 * kDefaultElectionTimeoutTicks);
    cluster.deliver_all();
  }
  CHECK(cluster.node(2).term() == Term{1});  // only pre-votes, which change no term
  CHECK(cluster.node(2).role() == Role::pre_candidate);
  cluster.heal();
  // Its next pre-vote reaches nodes that hear from their leader: they ignore it (leader lease).
  cluster.tick(0, kDefaultHeartbeatIntervalTicks);
  cluster.deliver_all();
  cluster.node(2).campaign();
  cluster.deliver_all();
  CHECK(cluster.node(0).is_leader());
  CHECK(cluster.node(0).term() == Term{1});
  CHECK(cluster.node(1).leader() == NodeId{0});
}

TEST_CASE("without pre-vote the same partition inflates the term and deposes the leader") {
  RaftConfig config;
  config.pre_vote = false;
  config.check_quorum = false;
  TestCluster cluster(3, config);
  REQUIRE(cluster.elect(0));
  cluster.isolate(2);
  for (int round = 0; round < 5; ++round) cluster.tick(2, 2 * kDefaultElectionTimeoutTicks);
  CHECK(cluster.node(2).term() > Term{3});
  cluster.heal();
  cluster.tick(0, kDefaultHeartbeatIntervalTicks);
  cluster.deliver_all();
  CHECK_FALSE((cluster.node(0).is_leader() && cluster.node(0).term() == Term{1}));
}

TEST_CASE("check-quorum: a leader that cannot hear a majority steps down") {
  TestCluster cluster(3);
  REQUIRE(cluster.elect(0));
  cluster.isolate(0);
  for (int t = 0; t < 2 * kDefaultElectionTimeoutTicks + 1; ++t) {
    cluster.tick(0);
    cluster.deliver_all();
  }
  CHECK(cluster.node(0).role() == Role::follower);
}

TEST_CASE("a stale leader learns of the newer term from the answer to its append and steps down") {
  RaftConfig config;
  config.check_quorum = false;
  TestCluster cluster(3, config);
  REQUIRE(cluster.elect(0));
  cluster.isolate(0);
  REQUIRE(cluster.elect(1));
  cluster.heal();
  cluster.tick(0, kDefaultHeartbeatIntervalTicks);
  cluster.deliver_all();
  CHECK(cluster.node(0).role() == Role::follower);
  CHECK(cluster.node(0).term() == cluster.node(1).term());
  CHECK(cluster.node(1).is_leader());
}
