// Brokers in a cluster of real millraced processes: registration and heartbeats to the controller, fencing
// of a hung broker and its return, a broker beyond the initial --peers, rack-aware placement, and producer
// ids handed out by the controller in blocks (unique across nodes and across a controller kill -9).
#include <catch2/catch.hpp>

#include <map>
#include <regex>
#include <set>

#include "cluster_process.h"
#include "millrace/client/admin.h"
#include "millrace/client/consumer.h"
#include "millrace/client/producer.h"
#include "millrace/protocol/errc.h"
#include "native_requests.h"
#include "process.h"
#include "raw_client.h"
#include "temp_dir.h"
#include "wait_until.h"

using namespace millrace;
using namespace millrace::client;
using namespace millrace::testing;
using namespace std::chrono_literals;

namespace {

ConnectionConfig connection_to(const std::string& bootstrap) {
  ConnectionConfig c;
  c.bootstrap = bootstrap;
  c.request_timeout_ms = 5000;
  c.reconnect_backoff_ms = 50;
  return c;
}

// The controller's view of one broker: "alive", "fenced", or "absent".
std::string broker_state(ClusterProcess& cluster, int asked, int node) {
  auto md = cluster.metadata(asked);
  if (!md) return "no answer";
  for (const auto& b : md->brokers()) {
    if (b.node_id() == node) return b.alive() ? "alive" : "not registered";
  }
  for (const auto& b : md->fenced_brokers()) {
    if (b.node_id() == node && b.fenced()) return "fenced";
  }
  return "absent";
}

// One InitProducerId on node `port`: the id, or -1 on any error.
int64_t init_producer_id(uint16_t port) {
  try {
    RawClient client(port, 5s);
    auto resp = call<wire::InitProducerIdResponse>(client, protocol::ApiKey::init_producer_id,
                                                   wire::InitProducerIdRequest{});
    return resp.error_code() == 0 ? resp.producer_id() : -1;
  } catch (const std::exception&) {
    return -1;
  }
}

// `count` fresh producer ids from node `node` (each retried until the node answers one).
std::vector<int64_t> producer_ids_from(ClusterProcess& cluster, int node, int count) {
  std::vector<int64_t> ids;
  for (int i = 0; i < count; ++i) {
    int64_t id = -1;
    const bool got = wait_until([&] { return (id = init_producer_id(cluster.port(node))) >= 0; }, 20s);
    INFO(cluster.logs());
    REQUIRE(got);
    ids.push_back(id);
  }
  return ids;
}

}  // namespace

TEST_CASE(
    "a broker paused past the session timeout is fenced, gets no new replicas, and is unfenced on return",
    "[cluster][brokers]") {
  TempDir dir("millrace-brokers");
  ClusterProcess cluster(dir.path(), 3, fast_raft_args());
  cluster.start_all();
  const int controller = cluster.wait_for_controller();
  const int victim = (controller + 1) % 3;
  for (int i = 0; i < 3; ++i) CHECK(broker_state(cluster, controller, i) == "alive");

  cluster.pause(victim);
  const bool fenced = wait_until([&] { return broker_state(cluster, controller, victim) == "fenced"; }, 15s);
  INFO(cluster.logs());
  REQUIRE(fenced);
  // Every node applies the fencing from the controller log.
  const int other = 3 - controller - victim;
  CHECK(wait_until([&] { return broker_state(cluster, other, victim) == "fenced"; }, 10s));

  // New replicas avoid the fenced broker.
  cluster.create_topic_or_throw("while-fenced", 4, 2);
  auto d = cluster.describe(controller, "while-fenced");
  REQUIRE(d);
  for (const auto& p : d->partitions()) {
    for (int32_t r : p.replicas()) CHECK(r != victim);
  }

  // The Admin client (cluster info) shows it fenced.
  auto admin = Admin::create(connection_to(cluster.bootstrap(controller)));
  REQUIRE(admin.ok());
  auto info = (*admin)->cluster_info();
  REQUIRE(info.ok());
  bool shown_fenced = false;
  for (const auto& b : info->brokers) {
    if (b.node_id.value == victim) shown_fenced = b.fenced && !b.alive;
  }
  CHECK(shown_fenced);
  const auto cli = run_command(
      {millrace_cli_path(), "--bootstrap", cluster.bootstrap(controller), "cluster", "info", "--json"});
  INFO(cli.out << cli.err);
  REQUIRE(cli.exit_code == 0);
  CHECK(cli.out.find("\"node_id\":" + std::to_string(victim) + ",") != std::string::npos);
  CHECK(cli.out.find("\"alive\":false,\"fenced\":true") != std::string::npos);

  cluster.resume(victim);
  const bool unfenced = wait_until([&] { return broker_state(cluster, controller, victim) == "alive"; }, 15s);
  INFO(cluster.logs());
  CHECK(unfenced);
}

TEST_CASE("a broker beyond the initial peers registers, learns the metadata and serves replicas",
          "[cluster][brokers]") {
  TempDir dir("millrace-brokers");
  ClusterProcess cluster(dir.path(), 3, fast_raft_args());
  cluster.start_all();
  cluster.wait_for_controller();
  const int extra = cluster.add_broker(fast_raft_args());
  REQUIRE(extra == 3);
  cluster.start(extra);
  // wait_for_controller also waits until the controller counts every live node (node 3 too) as alive.
  const int controller = cluster.wait_for_controller();
  CHECK(broker_state(cluster, controller, extra) == "alive");

  cluster.create_topic_or_throw("wide", 4, 3);
  auto d = cluster.describe(controller, "wide");
  REQUIRE(d);
  int on_extra = 0;
  for (const auto& p : d->partitions()) {
    for (int32_t r : p.replicas()) on_extra += r == extra ? 1 : 0;
  }
  CHECK(on_extra >= 2);
  // Node 3 learnt the topic through the controller log (it is a learner of the controller group).
  CHECK(wait_until(
      [&] {
        auto mine = cluster.describe(extra, "wide");
        return mine && mine->error_code() == 0 && mine->partitions_size() == 4;
      },
      10s));
  for (int p = 0; p < 4; ++p) cluster.wait_for_leader("wide", p);

  // Produce and consume through node 3 alone.
  constexpr int kRecords = 200;
  {
    ProducerConfig config;
    config.connection = connection_to(cluster.bootstrap(extra));
    auto producer = Producer::create(config);
    REQUIRE(producer.ok());
    std::atomic<int> ok{0};
    for (int i = 0; i < kRecords; ++i) {
      ProducerRecord r;
      r.topic = "wide";
      r.key = "k" + std::to_string(i);
      r.value = "v" + std::to_string(i);
      REQUIRE((*producer)->send(r, [&ok](const DeliveryReport& report) { ok += report.ok() ? 1 : 0; }).ok());
    }
    (*producer)->flush();
    REQUIRE(ok == kRecords);
  }
  ConsumerConfig config;
  config.connection = connection_to(cluster.bootstrap(extra));
  config.auto_offset_reset = OffsetReset::earliest;
  config.fetch_max_wait_ms = 100;
  auto consumer = Consumer::create(config);
  REQUIRE(consumer.ok());
  REQUIRE((*consumer)->assign_topic("wide").ok());
  std::set<std::string> values;
  const auto end = std::chrono::steady_clock::now() + 30s;
  while (values.size() < kRecords && std::chrono::steady_clock::now() < end) {
    auto batch = (*consumer)->poll(200ms);
    REQUIRE(batch.ok());
    for (auto& r : *batch) values.insert(r.value.value_or(""));
  }
  CHECK(values.size() == kRecords);
}

TEST_CASE("with racks set, topic describe --json shows every partition's replicas on distinct racks",
          "[cluster][brokers]") {
  TempDir dir("millrace-brokers");
  // Racks a a b b: plain round-robin by id would put partitions on {0,1} or {2,3}, a single rack.
  const std::map<int, std::string> racks{{0, "a"}, {1, "a"}, {2, "b"}, {3, "b"}};
  std::map<int, std::vector<std::string>> node_args;
  for (const auto& [id, rack] : racks) node_args[id] = {"--rack", rack};
  ClusterProcess cluster(dir.path(), 4, fast_raft_args(), node_args);
  cluster.start_all();
  const int controller = cluster.wait_for_controller();
  auto md = cluster.metadata(controller);
  REQUIRE(md);
  for (const auto& b : md->brokers()) CHECK(b.rack() == racks.at(b.node_id()));

  const auto created = run_command({millrace_cli_path(), "--bootstrap", cluster.bootstrap(), "topic",
                                    "create", "spread", "--partitions", "8", "--replication-factor", "2"});
  INFO(created.out << created.err);
  REQUIRE(created.exit_code == 0);
  const auto described = run_command(
      {millrace_cli_path(), "--bootstrap", cluster.bootstrap(), "topic", "describe", "spread", "--json"});
  INFO(described.out << described.err);
  REQUIRE(described.exit_code == 0);
  const std::regex replicas_re("\"replicas\":\\[([0-9]+),([0-9]+)\\]");
  int partitions = 0;
  std::map<int, int> leaders;
  for (auto it = std::sregex_iterator(described.out.begin(), described.out.end(), replicas_re);
       it != std::sregex_iterator(); ++it) {
    const int first = std::stoi((*it)[1]);
    const int second = std::stoi((*it)[2]);
    CHECK(racks.at(first) != racks.at(second));
    ++leaders[first];
    ++partitions;
  }
  CHECK(partitions == 8);
  CHECK(leaders.size() == 4);  // preferred leaders still go round-robin over the brokers
}

TEST_CASE("producer ids from controller blocks are unique across nodes and across a controller kill -9",
          "[cluster][brokers]") {
  TempDir dir("millrace-brokers");
  ClusterProcess cluster(dir.path(), 3, fast_raft_args());
  cluster.start_all();
  const int controller = cluster.wait_for_controller();
  std::set<int64_t> seen;
  auto take = [&](int node, int count) {
    for (int64_t id : producer_ids_from(cluster, node, count)) {
      INFO("node " << node << " handed out " << id << " twice");
      CHECK(seen.insert(id).second);
    }
  };
  for (int node = 0; node < 3; ++node) take(node, 10);

  cluster.kill9(controller);
  const int successor = cluster.wait_for_controller();
  CHECK(successor != controller);
  // The restarted node lost its block: it gets a new one from the new controller.
  cluster.start(controller);
  cluster.wait_for_controller();
  for (int node = 0; node < 3; ++node) take(node, 10);
  CHECK(seen.size() == 60);
}
