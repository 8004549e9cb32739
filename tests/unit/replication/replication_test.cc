// Log replication: commit only after a majority has flushed, pipelining within limits, divergent suffixes.
#include <catch2/catch.hpp>

#include "millrace/protocol/record_batch.h"
#include "millrace/replication/control_batch.h"
#include "millrace/replication/errc.h"
#include "test_cluster.h"

using namespace millrace;
using namespace millrace::replication;
using namespace millrace::replication::test;

namespace {

int appends_sent(const std::vector<Message>& messages, NodeId to) {
  int count = 0;
  for (const Message& m : messages) {
    const auto* request = std::get_if<AppendRequest>(&m.body);
    if (request != nullptr && m.to == to && !request->entries.empty()) ++count;
  }
  return count;
}

}  // namespace

TEST_CASE("proposals get Kafka offsets and the term as partition leader epoch") {
  TestCluster cluster(3);
  REQUIRE(cluster.elect(0));
  const Offset noop_end = cluster.node(0).log_end();
  CHECK(noop_end == Offset{1});  // the term-start no-op takes offset 0
  auto offset = cluster.propose(0, "three records", 3);
  REQUIRE(offset.ok());
  CHECK(*offset == Offset{1});
  CHECK(cluster.node(0).log_end() == Offset{4});
  for (int i = 0; i < 3; ++i) {
    const Entry* entry = cluster.log(i).entry_holding(Offset{2});
    REQUIRE(entry != nullptr);
    const auto header = protocol::read_batch_header(entry->batch);
    CHECK(header.base_offset == 1);
    CHECK(header.last_offset() == 3);
    CHECK(header.partition_leader_epoch == cluster.node(0).term().value);
    CHECK_FALSE(header.is_control());
  }
}

TEST_CASE("an entry commits only once a majority has flushed it") {
  TestCluster cluster(3);
  REQUIRE(cluster.elect(0));
  const Offset before = cluster.node(0).commit_end();
  REQUIRE(cluster.node(0).propose(data_batch("x")).ok());
  cluster.deliver_all(false);  // appended everywhere, flushed nowhere
  CHECK(cluster.node(0).commit_end() == before);
  CHECK(cluster.log(1).end_offset() == cluster.node(0).log_end());

  cluster.flush(0);  // the leader alone is not a majority
  cluster.deliver_all(false);
  CHECK(cluster.node(0).commit_end() == before);

  cluster.flush(2);  // leader + node 2 are
  cluster.deliver_all(false);
  CHECK(cluster.node(0).commit_end() == cluster.node(0).log_end());

  // The followers learn the commit index with the next heartbeat.
  cluster.tick(0, kDefaultHeartbeatIntervalTicks);
  cluster.deliver_all(false);
  CHECK(cluster.node(1).commit_end() == cluster.node(0).commit_end());
}

TEST_CASE("two followers flushing without the leader also commit") {
  TestCluster cluster(3);
  REQUIRE(cluster.elect(0));
  REQUIRE(cluster.node(0).propose(data_batch("x")).ok());
  cluster.deliver_all(false);
  cluster.flush(1);
  cluster.deliver_all(false);
  CHECK(cluster.node(0).commit_end() < cluster.node(0).log_end());
  cluster.flush(2);
  cluster.deliver_all(false);
  CHECK(cluster.node(0).commit_end() == cluster.node(0).log_end());
}

TEST_CASE("a leader pipelines at most max_inflight_appends requests per follower") {
  RaftConfig config;
  config.max_inflight_appends = 2;
  config.max_append_bytes = 100;  // one entry per request
  TestCluster cluster(3, config);
  REQUIRE(cluster.elect(0));
  cluster.sent(0).clear();
  for (int i = 0; i < 5; ++i) REQUIRE(cluster.node(0).propose(data_batch("p" + std::to_string(i))).ok());
  cluster.drain(0);
  CHECK(appends_sent(cluster.sent(0), NodeId{1}) == 2);  // no answers yet: the window is full
  cluster.deliver_all();
  CHECK(cluster.node(1).log_end() == cluster.node(0).log_end());
  CHECK(cluster.node(0).commit_end() == cluster.node(0).log_end());
}

TEST_CASE("the leader refuses proposals beyond max_uncommitted_bytes") {
  RaftConfig config;
  config.max_entry_bytes = 1000;
  config.max_append_bytes = 1000;
  config.max_inflight_bytes = 1000;
  config.max_uncommitted_bytes = 1000;
  TestCluster cluster(3, config);
  REQUIRE(cluster.elect(0));
  cluster.isolate(0);
  Status refused;
  for (int i = 0; i < 50 && refused.ok(); ++i) {
    auto offset = cluster.node(0).propose(data_batch("p" + std::to_string(i)));
    if (!offset) refused = offset.error();
  }
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == errc::too_many_uncommitted_bytes);
}

TEST_CASE("followers refuse proposals, and leaders refuse control, malformed and oversized batches") {
  TestCluster cluster(3);
  REQUIRE(cluster.elect(0));
  auto on_follower = cluster.node(1).propose(data_batch("x"));
  REQUIRE_FALSE(on_follower.ok());
  CHECK(on_follower.error().code == errc::not_leader);
  auto control = cluster.node(0).propose(make_term_start_batch(NodeId{0}));
  REQUIRE_FALSE(control.ok());
  CHECK(control.error().code == errc::invalid_batch);
  Buffer bad = data_batch("x");
  bad.resize(bad.size() - 1);
  auto truncated = cluster.node(0).propose(bad);
  REQUIRE_FALSE(truncated.ok());
  CHECK(truncated.error().code == errc::invalid_batch);
  auto too_large = cluster.node(0).propose(data_batch(std::string(kDefaultMaxEntryBytes, 'x')));
  REQUIRE_FALSE(too_large.ok());
  CHECK(too_large.error().code == errc::invalid_batch);
}

TEST_CASE("a follower truncates a divergent suffix and takes the leader's entries") {
  RaftConfig config;
  config.check_quorum = false;
  TestCluster cluster(3, config);
  REQUIRE(cluster.elect(0));
  REQUIRE(cluster.propose(0, "committed").ok());
  const Offset committed = cluster.node(0).commit_end();
  // Node 0 appends entries no one else gets.
  cluster.isolate(0);
  for (int i = 0; i < 3; ++i) REQUIRE(cluster.propose(0, "lost " + std::to_string(i), 2).ok());
  cluster.flush(0);
  const Offset lost_end = cluster.node(0).log_end();
  // Nodes 1 and 2 elect a new leader and commit other entries at the same offsets.
  REQUIRE(cluster.elect(1));
  REQUIRE(cluster.propose(1, "kept").ok());
  CHECK(cluster.node(1).commit_end() > committed);
  cluster.heal();
  cluster.tick(1, kDefaultHeartbeatIntervalTicks);
  cluster.deliver_all();
  // Node 0 follows, its suffix is gone, and its log equals the leader's.
  CHECK(cluster.node(0).leader() == NodeId{1});
  CHECK(cluster.log(0).entries() == cluster.log(1).entries());
  CHECK(cluster.node(0).log_end() != lost_end);
  bool truncated = false;
  for (const Ready& ready : cluster.readies(0)) {
    for (const LogOp& op : ready.log_ops) {
      if (const auto* cut = std::get_if<TruncateSuffixOp>(&op)) {
        truncated = true;
        CHECK(cut->end == committed);  // exactly where the logs began to differ
      }
    }
  }
  CHECK(truncated);
}

TEST_CASE("a follower that crashed loses unflushed entries and is caught up again") {
  TestCluster cluster(3);
  REQUIRE(cluster.elect(0));
  REQUIRE(cluster.propose(0, "a").ok());
  REQUIRE(cluster.node(0).propose(data_batch("b")).ok());
  cluster.deliver_all(false);
  const Offset end = cluster.node(0).log_end();
  REQUIRE(cluster.log(2).end_offset() == end);
  cluster.crash_and_restart(2);
  CHECK(cluster.log(2).end_offset() < end);
  cluster.flush_all();
  for (int t = 0; t < kDefaultElectionTimeoutTicks; ++t) {
    cluster.tick(0);
    cluster.deliver_all();
  }
  CHECK(cluster.log(2).end_offset() == end);
  CHECK(cluster.node(2).commit_end() == end);
}

TEST_CASE("a flush completed after a truncation does not count the replaced entries as durable") {
  MemoryLog log;
  auto entry = [](int64_t base, int32_t term) {
    Buffer batch = data_batch("e");
    protocol::set_base_offset(batch, base);
    protocol::set_partition_leader_epoch(batch, term);
    return Entry::from_batch(std::move(batch)).value();
  };
  REQUIRE(log.append({entry(0, 1), entry(1, 1)}).ok());
  const auto stale = log.prepare_flush();
  REQUIRE(log.truncate_suffix(Offset{1}).ok());
  REQUIRE(log.append({entry(1, 2)}).ok());
  log.complete_flush(stale);
  CHECK(log.flushed_offset() == Offset{0});
  log.complete_flush(log.prepare_flush());
  CHECK(log.flushed_offset() == Offset{2});
  log.crash();
  CHECK(log.end_offset() == Offset{2});
}
