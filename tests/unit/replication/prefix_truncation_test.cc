// The prefix-truncation hook (retention, snapshots) and catching a follower up past a truncated prefix.
#include <catch2/catch.hpp>

#include "millrace/replication/errc.h"
#include "test_cluster.h"

using namespace millrace;
using namespace millrace::replication;
using namespace millrace::replication::test;

TEST_CASE("only committed entries may be truncated away, at an entry boundary") {
  TestCluster cluster(3);
  REQUIRE(cluster.elect(0));
  for (int i = 0; i < 4; ++i) REQUIRE(cluster.propose(0, "e" + std::to_string(i), 3).ok());
  cluster.isolate(0);
  REQUIRE(cluster.node(0).propose(data_batch("uncommitted")).ok());
  cluster.drain(0);
  const Offset commit = cluster.node(0).commit_end();
  CHECK(cluster.node(0).truncate_prefix(cluster.node(0).log_end()).error().code == errc::offset_out_of_range);
  // Offset 5 is inside the batch [4, 6]: the cut rounds down to 4.
  REQUIRE(cluster.node(0).truncate_prefix(Offset{5}).ok());
  cluster.drain(0);
  CHECK(cluster.node(0).log_start() == Offset{4});
  CHECK(cluster.log(0).start_offset() == Offset{4});
  CHECK(cluster.log(0).start().term_before == Term{1});
  CHECK(cluster.log(0).start().configuration == cluster.bootstrap());
  CHECK(cluster.node(0).commit_end() == commit);
}

TEST_CASE("a follower behind the leader's log start gets a snapshot and continues from there") {
  TestCluster cluster(3);
  REQUIRE(cluster.elect(0));
  REQUIRE(cluster.propose(0, "seen by all").ok());
  cluster.isolate(2);
  for (int i = 0; i < 5; ++i) REQUIRE(cluster.propose(0, "missed " + std::to_string(i), 2).ok());
  const Offset commit = cluster.node(0).commit_end();
  REQUIRE(cluster.node(0).truncate_prefix(commit).ok());
  cluster.drain(0);
  REQUIRE(cluster.node(0).log_start() == commit);
  cluster.heal();
  cluster.tick(0, kDefaultHeartbeatIntervalTicks);
  cluster.deliver_all();
  bool snapshot_sent = false;
  for (const Message& m : cluster.sent(0)) snapshot_sent |= std::holds_alternative<SnapshotRequest>(m.body);
  CHECK(snapshot_sent);
  CHECK(cluster.node(2).log_start() == commit);
  CHECK(cluster.node(2).commit_end() == commit);
  REQUIRE(cluster.propose(0, "after").ok());
  cluster.tick(0, kDefaultHeartbeatIntervalTicks);  // followers learn the commit index with the next append
  cluster.deliver_all();
  CHECK(cluster.log(2).entries() == cluster.log(0).entries());
  CHECK(cluster.node(2).commit_end() == cluster.node(0).commit_end());
}

TEST_CASE("a restarted node keeps its truncated start, term and configuration") {
  TestCluster cluster(3);
  REQUIRE(cluster.elect(0));
  for (int i = 0; i < 3; ++i) REQUIRE(cluster.propose(0, "e" + std::to_string(i)).ok());
  const Offset commit = cluster.node(1).commit_end();
  REQUIRE(cluster.node(1).truncate_prefix(commit).ok());
  cluster.drain(1);
  cluster.crash_and_restart(1);
  CHECK(cluster.node(1).log_start() == commit);
  CHECK(cluster.node(1).configuration() == cluster.bootstrap());
  REQUIRE(cluster.propose(0, "after restart").ok());
  cluster.tick(0, kDefaultHeartbeatIntervalTicks);
  cluster.deliver_all();
  CHECK(cluster.node(1).commit_end() == cluster.node(0).commit_end());
}
