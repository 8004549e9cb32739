// A three-node cluster of real millraced processes on loopback (ClusterProcess): forming the cluster,
// replicating RF=3 partitions byte for byte, refusing impossible replication factors, failing over on a
// leader kill -9 without losing an acknowledged record, min.insync.replicas, never exposing records above
// the high watermark, and keeping topics across restarts.
#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "acked_records.h"
#include "cluster_process.h"
#include "consume_all.h"
#include "millrace/client/admin.h"
#include "millrace/client/consumer.h"
#include "millrace/client/producer.h"
#include "millrace/protocol/errc.h"
#include "millrace/protocol/record_batch.h"
#include "millrace/protocol/record_batch_decoder.h"
#include "native_requests.h"
#include "temp_dir.h"
#include "wait_until.h"

using namespace millrace;
using namespace millrace::client;
using namespace millrace::testing;
using namespace std::chrono_literals;
using protocol::errc;

namespace {

constexpr int kNodes = 3;

int code(errc e) {
  return static_cast<int>(e);
}

ConnectionConfig connection_to(const ClusterProcess& cluster) {
  ConnectionConfig c;
  c.bootstrap = cluster.bootstrap();
  c.request_timeout_ms = 5000;
  c.reconnect_backoff_ms = 50;
  return c;
}

using Acked = AckedRecords;

// Every record of `topic` (all partitions) from the beginning, until `expected` records or the deadline.
std::vector<ConsumerRecord> consume_all(const ClusterProcess& cluster, const std::string& topic,
                                        size_t expected, std::chrono::seconds deadline = 30s) {
  return testing::consume_all(connection_to(cluster), topic, expected, deadline);
}

// Every acknowledged record is read back at its acknowledged partition and offset, exactly once.
void check_all_acked_read_back(Acked& acked, const std::vector<ConsumerRecord>& records) {
  std::map<std::pair<int32_t, int64_t>, std::string> read;
  for (const auto& r : records) {
    const bool fresh =
        read.emplace(std::pair{r.partition.value, r.offset.value}, r.value.value_or("")).second;
    CHECK(fresh);
  }
  std::lock_guard<std::mutex> lock(acked.mutex);
  size_t missing = 0;
  for (const auto& [value, where] : acked.by_value) {
    auto it = read.find(where);
    if (it == read.end() || it->second != value) ++missing;
  }
  CHECK(missing == 0);
  CHECK(records.size() == acked.by_value.size());
}

// Waits until every live replica of the partition serves the same high watermark, at least `min_hw`,
// and the same bytes below it; returns that high watermark.
int64_t wait_for_identical_replicas(ClusterProcess& cluster, const std::string& topic, int32_t partition,
                                    int64_t min_hw, std::chrono::milliseconds timeout = 20s) {
  std::map<int, ReplicaCopy> copies;
  const bool same = wait_until(
      [&] {
        copies.clear();
        for (int i : cluster.live_nodes()) {
          auto copy = read_replica(cluster.port(i), topic, partition);
          if (!copy || copy->high_watermark < min_hw) return false;
          copies.emplace(i, std::move(*copy));
        }
        for (const auto& [i, c] : copies) {
          if (c.high_watermark != copies.begin()->second.high_watermark) return false;
        }
        return !copies.empty();
      },
      timeout);
  INFO(cluster.logs());
  REQUIRE(same);
  const ReplicaCopy& first = copies.begin()->second;
  for (const auto& [i, c] : copies) {
    INFO("node " << i << " of " << topic << "-" << partition);
    CHECK(c.bytes.size() == first.bytes.size());
    CHECK(c.bytes == first.bytes);
  }
  return first.high_watermark;
}

wire::ProducePartitionResult produce_to(ClusterProcess& cluster, int node, const std::string& topic,
                                        int32_t partition, int count, int32_t acks) {
  RawClient client(cluster.port(node));
  Buffer batch = make_batch(count);
  return produce(client, topic, partition, ByteView(batch.data(), batch.size()), acks);
}

}  // namespace

TEST_CASE("nodes started in any order form one cluster with one controller", "[cluster]") {
  TempDir dir("millrace-cluster");
  ClusterProcess cluster(dir.path(), kNodes, fast_raft_args());
  cluster.start_all({2, 0, 1});
  const int controller = cluster.wait_for_controller();
  REQUIRE(controller >= 0);
  REQUIRE(controller < kNodes);

  for (int i = 0; i < kNodes; ++i) {
    auto md = cluster.metadata(i);
    REQUIRE(md);
    CHECK(md->controller_id() == controller);
    REQUIRE(md->brokers_size() == kNodes);
    std::map<int, int> ports;
    for (const auto& b : md->brokers()) {
      CHECK(b.host() == "127.0.0.1");
      ports[b.node_id()] = b.port();
    }
    for (int n = 0; n < kNodes; ++n) CHECK(ports[n] == cluster.port(n));
  }

  // Metadata changes are the controller's: another node refuses them and names the controller.
  const int other = (controller + 1) % kNodes;
  auto refused = cluster.create_topic(other, "t", 1, 3);
  REQUIRE(refused);
  CHECK(refused->error_code() == code(errc::not_controller));

  // A topic created on the controller reaches every node.
  cluster.create_topic_or_throw("t", 2, 3);
  for (int p = 0; p < 2; ++p) cluster.wait_for_leader("t", p);
  for (int i = 0; i < kNodes; ++i) {
    auto d = cluster.describe(i, "t");
    REQUIRE(d);
    REQUIRE(d->partitions_size() == 2);
    for (const auto& p : d->partitions()) CHECK(p.replicas_size() == 3);
  }
}

TEST_CASE("acks=all on RF=3: every replica holds the same bytes below the high watermark", "[cluster]") {
  TempDir dir("millrace-cluster");
  ClusterProcess cluster(dir.path(), kNodes, fast_raft_args());
  cluster.start_all();
  cluster.wait_for_controller();
  constexpr int32_t kPartitions = 3;
  cluster.create_topic_or_throw("orders", kPartitions, 3);
  for (int p = 0; p < kPartitions; ++p) cluster.wait_for_leader("orders", p);

  constexpr int kRecords = 600;
  Acked acked;
  {
    ProducerConfig config;
    config.connection = connection_to(cluster);
    auto producer = Producer::create(config);
    REQUIRE(producer.ok());
    for (int i = 0; i < kRecords; ++i) {
      ProducerRecord r;
      r.topic = "orders";
      r.key = "customer-" + std::to_string(i % 37);
      r.value = "order-" + std::to_string(i);
      REQUIRE((*producer)->send(r, acked.callback(*r.value)).ok());
    }
    (*producer)->flush();
  }
  INFO(acked.first_error);
  REQUIRE(acked.ok == kRecords);

  std::map<int32_t, int64_t> acked_end;  // per partition: one past the highest acknowledged offset
  for (const auto& [value, where] : acked.by_value) {
    acked_end[where.first] = std::max(acked_end[where.first], where.second + 1);
  }
  REQUIRE(acked_end.size() == kPartitions);
  for (const auto& [partition, end] : acked_end) {
    wait_for_identical_replicas(cluster, "orders", partition, end);
  }

  const auto records = consume_all(cluster, "orders", kRecords);
  check_all_acked_read_back(acked, records);
}

TEST_CASE("a replication factor above the live broker count is refused", "[cluster]") {
  TempDir dir("millrace-cluster");
  ClusterProcess cluster(dir.path(), kNodes, fast_raft_args());
  cluster.start_all();
  const int controller = cluster.wait_for_controller();

  auto four = cluster.create_topic(controller, "four", 1, 4);
  REQUIRE(four);
  CHECK(four->error_code() == code(errc::invalid_replication_factor));

  // Kill a node other than the controller; once the controller counts it as gone, RF=3 is refused.
  const int victim = (controller + 1) % kNodes;
  cluster.kill9(victim);
  const bool noticed = wait_until(
      [&] {
        auto md = cluster.metadata(controller);
        if (!md) return false;
        // Fenced after the session timeout: out of the client broker list, shown as fenced apart.
        for (const auto& b : md->brokers()) {
          if (b.node_id() == victim) return !b.alive();
        }
        return true;
      },
      10s);
  REQUIRE(noticed);
  auto three = cluster.create_topic(controller, "three", 1, 3);
  REQUIRE(three);
  CHECK(three->error_code() == code(errc::invalid_replication_factor));
  auto two = cluster.create_topic(controller, "two", 1, 2);
  REQUIRE(two);
  CHECK(two->error_code() == 0);

  // Back with the node, RF=3 is accepted again.
  cluster.start(victim);
  const bool accepted = wait_until(
      [&] {
        auto r = cluster.create_topic(cluster.wait_for_controller(), "three", 1, 3);
        return r && r->error_code() == 0;
      },
      10s);
  CHECK(accepted);
}

TEST_CASE("kill -9 of the leader under acks=all load: failover, no acknowledged record lost, rejoin",
          "[cluster]") {
  TempDir dir("millrace-cluster");
  // Default Raft timing: this measures the failover time operators get.
  ClusterProcess cluster(dir.path(), kNodes);
  cluster.start_all();
  cluster.wait_for_controller();
  cluster.create_topic_or_throw("load", 1, 3);
  const int leader = cluster.wait_for_leader("load", 0);

  Acked acked;
  ProducerConfig config;
  config.connection = connection_to(cluster);
  config.linger_ms = 2;
  auto producer = Producer::create(config);
  REQUIRE(producer.ok());
  std::atomic<bool> stop{false};
  std::atomic<int> sent{0};
  std::thread load([&] {
    while (!stop) {
      const int i = sent++;
      ProducerRecord r;
      r.topic = "load";
      r.key = "k" + std::to_string(i % 11);
      r.value = "v" + std::to_string(i);
      if (!(*producer)->send(r, acked.callback(*r.value)).ok()) break;
      // A steady stream rather than a flood: keeps in-flight data bounded and the load thread cheap.
      if (i % 20 == 19) std::this_thread::sleep_for(2ms);
    }
  });
  struct Joiner {
    std::atomic<bool>& stop;
    std::thread& t;
    ~Joiner() {
      stop = true;
      if (t.joinable()) t.join();
    }
  } joiner{stop, load};

  REQUIRE(wait_until([&] { return acked.ok >= 300; }, 20s));
  const auto killed_at = std::chrono::steady_clock::now();
  cluster.kill9(leader);
  const int new_leader = cluster.wait_for_leader("load", 0, 10s, leader);
  const auto failover = std::chrono::steady_clock::now() - killed_at;
  const auto failover_ms = std::chrono::duration_cast<std::chrono::milliseconds>(failover).count();
  WARN("failover after kill -9 of the leader (default timing): " << failover_ms << " ms");
  CHECK(new_leader != leader);
  CHECK(failover < 2500ms);

  // The producer carries on by itself: acknowledgements resume past the kill.
  const size_t at_failover = acked.ok;
  REQUIRE(wait_until([&] { return acked.ok >= at_failover + 300; }, 20s));
  stop = true;
  load.join();
  (*producer)->flush();
  INFO(acked.first_error);
  CHECK(acked.failed == 0);

  // The killed node comes back, catches up, and holds what the others hold.
  int64_t acked_end = 0;
  {
    std::lock_guard<std::mutex> lock(acked.mutex);
    for (const auto& [value, where] : acked.by_value) acked_end = std::max(acked_end, where.second + 1);
  }
  cluster.start(leader);
  REQUIRE(cluster.live_nodes().size() == kNodes);
  wait_for_identical_replicas(cluster, "load", 0, acked_end);

  const auto records = consume_all(cluster, "load", acked.by_value.size());
  check_all_acked_read_back(acked, records);
}

TEST_CASE("a consumer reading through kill -9 of the leader returns every record once and in order",
          "[cluster]") {
  // The consumer fetches ahead (one result per partition waiting while the application takes the previous
  // one), so when the leader dies it holds records from the old leader, a fetch in flight to it that fails,
  // or both. None of that may cost a record or repeat one.
  TempDir dir("millrace-cluster");
  ClusterProcess cluster(dir.path(), kNodes, fast_raft_args());
  cluster.start_all();
  cluster.wait_for_controller();
  cluster.create_topic_or_throw("read", 2, 3);
  const int leader = cluster.wait_for_leader("read", 0);

  Acked acked;
  constexpr int kRecords = 4000;
  {
    ProducerConfig config;
    config.connection = connection_to(cluster);
    config.acks = Acks::all;
    auto producer = Producer::create(config);
    REQUIRE(producer.ok());
    for (int i = 0; i < kRecords; ++i) {
      ProducerRecord r;
      r.topic = "read";
      r.partition = PartitionId{i % 2};
      r.value = "v" + std::to_string(i) + std::string(200, 'x');
      REQUIRE((*producer)->send(r, acked.callback(*r.value)).ok());
    }
    (*producer)->flush();
    REQUIRE(acked.failed == 0);
    REQUIRE(acked.ok == kRecords);
  }

  // Small fetches and small polls: many fetches, each partition with a result fetched ahead most of the time.
  ConsumerConfig config;
  config.connection = connection_to(cluster);
  config.auto_offset_reset = OffsetReset::earliest;
  config.max_partition_fetch_bytes = 4096;
  config.max_poll_records = 7;
  config.fetch_max_wait_ms = 100;
  config.retry_backoff_ms = 50;
  auto consumer = Consumer::create(config);
  REQUIRE(consumer.ok());
  REQUIRE((*consumer)->assign_topic("read").ok());
  std::vector<ConsumerRecord> records;
  const auto poll_until = [&](size_t count) {
    const auto end = std::chrono::steady_clock::now() + 30s;
    while (records.size() < count && std::chrono::steady_clock::now() < end) {
      auto batch = (*consumer)->poll(200ms);
      if (!batch) {
        // Retriable errors are retried inside poll(); anything else would be a finding.
        FAIL_CHECK("poll failed: " << batch.error().to_string());
        return;
      }
      for (auto& r : *batch) records.push_back(std::move(r));
    }
  };
  poll_until(kRecords / 4);
  REQUIRE(records.size() >= kRecords / 4);
  cluster.kill9(leader);
  cluster.wait_for_leader("read", 0, 10s, leader);
  poll_until(kRecords);

  CHECK(records.size() == static_cast<size_t>(kRecords));
  // Per partition, offsets only go up (a leader's control batch at the start of its term takes an offset
  // that the consumer skips, so they are not all consecutive); with every acknowledged record read back once,
  // nothing was lost, repeated or reordered.
  std::map<int32_t, int64_t> last;
  for (const auto& r : records) {
    INFO("partition " << r.partition.value << " offset " << r.offset.value);
    auto [it, first] = last.try_emplace(r.partition.value, r.offset.value);
    if (!first) CHECK(r.offset.value > it->second);
    it->second = r.offset.value;
  }
  check_all_acked_read_back(acked, records);
}

TEST_CASE("min.insync.replicas=3 refuses acks=all with a replica down, acks=1 still works", "[cluster]") {
  TempDir dir("millrace-cluster");
  ClusterProcess cluster(dir.path(), kNodes, fast_raft_args());
  cluster.start_all();
  cluster.wait_for_controller();
  cluster.create_topic_or_throw("strict", 1, 3, {{"min.insync.replicas", "3"}});
  const int leader = cluster.wait_for_leader("strict", 0);
  // A new leader's followers are in sync once they have its first entry durable.
  const auto in_sync = [&] {
    auto d = cluster.describe(leader, "strict");
    return d ? d->partitions(0).in_sync_replicas_size() : -1;
  };
  REQUIRE(wait_until([&] { return in_sync() == 3; }, 10s));
  REQUIRE(produce_to(cluster, leader, "strict", 0, 5, -1).error_code() == 0);

  // Pipelined writes: followers trail the commit point by a few batches all the time, yet stay in sync.
  {
    RawClient client(cluster.port(leader));
    constexpr int kPipelined = 100;
    const Buffer batch = make_batch(3);
    wire::ProduceRequest req;
    req.set_acks(-1);
    req.set_timeout_ms(10000);
    auto* p = req.add_partitions();
    p->set_topic("strict");
    p->set_partition(0);
    p->set_records_bytes(static_cast<uint32_t>(batch.size()));
    for (int i = 0; i < kPipelined; ++i) {
      REQUIRE(client.send_request(protocol::ApiKey::produce, static_cast<uint32_t>(i), req,
                                  ByteView(batch.data(), batch.size())));
    }
    int refused_in_sync = 0;
    for (int i = 0; i < kPipelined; ++i) {
      auto raw = client.read_response();
      REQUIRE(raw);
      wire::ProduceResponse resp;
      REQUIRE(resp.ParseFromString(raw->body));
      if (resp.results(0).error_code() != 0) ++refused_in_sync;
    }
    CHECK(refused_in_sync == 0);
  }

  const int follower = (leader + 1) % kNodes;
  cluster.kill9(follower);
  // Every acks=all write from now on could reach two replicas only: none may be acknowledged, including
  // those sent before the leader notices the follower is gone. The follower leaves the ISR.
  int refused = 0;
  int acknowledged = 0;
  const bool refusing = wait_until(
      [&] {
        const auto r = produce_to(cluster, leader, "strict", 0, 1, -1);
        if (r.error_code() == code(errc::not_enough_replicas)) ++refused;
        if (r.error_code() == 0) ++acknowledged;
        return refused >= 3;
      },
      10s);
  REQUIRE(refusing);
  CHECK(acknowledged == 0);
  CHECK(in_sync() == 2);
  CHECK(produce_to(cluster, leader, "strict", 0, 2, 1).error_code() == 0);

  cluster.start(follower);
  const bool accepted =
      wait_until([&] { return produce_to(cluster, leader, "strict", 0, 1, -1).error_code() == 0; }, 15s);
  CHECK(accepted);
}

TEST_CASE("fetch never returns records above the high watermark", "[cluster]") {
  TempDir dir("millrace-cluster");
  // Elections slow enough that pausing both followers for a few requests does not depose the leader.
  ClusterProcess cluster(dir.path(), kNodes,
                         {"--set", "election_timeout_ms=1500", "--set", "heartbeat_interval_ms=100"});
  cluster.start_all();
  cluster.wait_for_controller();
  cluster.create_topic_or_throw("hw", 1, 3);
  const int leader = cluster.wait_for_leader("hw", 0);
  REQUIRE(produce_to(cluster, leader, "hw", 0, 10, -1).error_code() == 0);
  const int64_t committed = wait_for_identical_replicas(cluster, "hw", 0, 10);

  const int f1 = (leader + 1) % kNodes;
  const int f2 = (leader + 2) % kNodes;
  cluster.pause(f1);
  cluster.pause(f2);
  const auto written = produce_to(cluster, leader, "hw", 0, 5, 1);
  REQUIRE(written.error_code() == 0);
  CHECK(written.base_offset() >= committed);

  auto above = fetch_once(cluster.port(leader), "hw", 0, committed);
  REQUIRE(above);
  CHECK(above->result.error_code() == 0);
  CHECK(above->result.high_watermark() == committed);
  CHECK(above->bytes.empty());
  auto from_start = read_replica(cluster.port(leader), "hw", 0);
  REQUIRE(from_start);
  CHECK(from_start->high_watermark == committed);
  ByteView bytes(from_start->bytes.data(), from_start->bytes.size());
  for (size_t pos = 0; pos < bytes.size();) {
    const auto header = protocol::read_batch_header(bytes.subspan(pos));
    CHECK(header.next_offset() <= committed);
    pos += static_cast<size_t>(header.size_bytes());
  }
  auto described = cluster.describe(leader, "hw");
  REQUIRE(described);
  CHECK(described->partitions(0).log_end_offset() > committed);
  CHECK(described->partitions(0).high_watermark() == committed);

  // With the followers back the records commit, and every replica serves them.
  cluster.resume(f1);
  cluster.resume(f2);
  wait_for_identical_replicas(cluster, "hw", 0, written.base_offset() + 5);
}

TEST_CASE("a restarted cluster keeps its topics and serves them", "[cluster]") {
  TempDir dir("millrace-cluster");
  ClusterProcess cluster(dir.path(), kNodes, fast_raft_args());
  cluster.start_all();
  cluster.wait_for_controller();
  cluster.create_topic_or_throw("kept", 2, 3, {{"retention.ms", "3600000"}});
  cluster.create_topic_or_throw("also", 1, 2);
  for (int p = 0; p < 2; ++p) cluster.wait_for_leader("kept", p);
  const int leader = cluster.wait_for_leader("kept", 0);
  REQUIRE(produce_to(cluster, leader, "kept", 0, 7, -1).error_code() == 0);

  for (int i = 0; i < kNodes; ++i) REQUIRE(cluster.stop(i) == 0);
  cluster.start_all({1, 2, 0});
  cluster.wait_for_controller();

  for (int i = 0; i < kNodes; ++i) {
    auto kept = cluster.describe(i, "kept");
    REQUIRE(kept);
    CHECK(kept->error_code() == 0);
    CHECK(kept->partitions_size() == 2);
    bool retention = false;
    for (const auto& c : kept->configs()) {
      if (c.name() == "retention.ms") retention = c.value() == "3600000" && c.source() == "topic";
    }
    CHECK(retention);
    auto also = cluster.describe(i, "also");
    REQUIRE(also);
    CHECK(also->error_code() == 0);
    REQUIRE(also->partitions_size() == 1);
    CHECK(also->partitions(0).replicas_size() == 2);
  }
  const int new_leader = cluster.wait_for_leader("kept", 0);
  CHECK(produce_to(cluster, new_leader, "kept", 0, 3, -1).error_code() == 0);
  const auto records = consume_all(cluster, "kept", 10);
  CHECK(records.size() == 10);

  // One node restarted alone (kill -9, then start) also comes back with its topics and catches up.
  cluster.kill9(0);
  cluster.start(0);
  auto kept = cluster.describe(0, "kept");
  REQUIRE(kept);
  CHECK(kept->error_code() == 0);
  wait_for_identical_replicas(cluster, "kept", 0, 10);
}

TEST_CASE("kill -9 of the controller: a new one takes metadata changes, the old one catches up on return",
          "[cluster]") {
  TempDir dir("millrace-cluster");
  ClusterProcess cluster(dir.path(), kNodes, fast_raft_args());
  cluster.start_all();
  const int controller = cluster.wait_for_controller();
  auto admin = Admin::create(connection_to(cluster));
  REQUIRE(admin.ok());
  auto before = (*admin)->create_topic(NewTopic{"before", 1, 3, {}});
  INFO((before.ok() ? std::string() : before.error().to_string()));
  REQUIRE(before.ok());

  cluster.kill9(controller);
  const int successor = cluster.wait_for_controller();
  CHECK(successor != controller);
  // The Admin client finds the new controller by itself (its first choice may be the dead node).
  auto after = (*admin)->create_topic(NewTopic{"after", 2, 2, {}});
  INFO((after.ok() ? std::string() : after.error().to_string()));
  REQUIRE(after.ok());
  auto deleted = (*admin)->delete_topic("before");
  INFO((deleted.ok() ? std::string() : deleted.error().to_string()));
  REQUIRE(deleted.ok());

  // The old controller comes back as a follower and applies the commands it missed.
  cluster.start(controller);
  CHECK(cluster.wait_for_controller() == successor);
  const bool caught_up = wait_until(
      [&] {
        auto a = cluster.describe(controller, "after");
        auto b = cluster.describe(controller, "before");
        return a && a->error_code() == 0 && a->partitions_size() == 2 && b &&
               b->error_code() == code(errc::unknown_topic_or_partition);
      },
      10s);
  INFO(cluster.logs());
  CHECK(caught_up);
}
