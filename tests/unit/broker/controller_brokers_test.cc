// Controller (a one-voter controller group, driven by hand): broker commands are committed and applied to
// the registry, silent brokers are fenced and unfenced, and producer id blocks never overlap, also after the
// controller reopens its log.
#include <catch2/catch.hpp>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <optional>

#include "cluster.pb.h"
#include "idempotence_test_support.h"
#include "millrace/broker/cluster_producer_id_allocator.h"
#include "millrace/broker/controller.h"
#include "millrace/broker/flusher.h"
#include "millrace/broker/partition_manager.h"
#include "millrace/broker/raft_transport.h"
#include "millrace/storage/rocksdb_kv_store.h"

using namespace millrace;
using namespace millrace::broker;
using namespace std::chrono_literals;

namespace {

// One node that is the whole controller group.
struct OneNodeController {
  boost::asio::io_context io;
  BrokerConfig config;
  std::unique_ptr<storage::KvStore> store;
  std::unique_ptr<Flusher> flusher;
  std::unique_ptr<RaftTransport> transport;
  std::unique_ptr<PartitionManager> manager;
  std::unique_ptr<Controller> controller;

  explicit OneNodeController(const std::filesystem::path& dir) {
    config.node_id = 0;
    config.data_dir = dir;
    config.peers = {PeerAddress{0, HostPort{"127.0.0.1", 1}}};
    config.raft_tick_ms = 10;
    config.heartbeat_interval_ms = 20;
    config.election_timeout_ms = 40;
    config.broker_heartbeat_interval_ms = 20;
    config.broker_session_timeout_ms = 200;
    auto opened = storage::RocksDbKvStore::open(dir / "meta");
    REQUIRE(opened.ok());
    store = std::move(*opened);
    flusher = std::make_unique<Flusher>(io);
    transport = std::make_unique<RaftTransport>(io, NodeId{0}, config.peers);
    manager = std::make_unique<PartitionManager>(config, *store, *flusher);
    manager->enable_cluster(*transport, *store);
    REQUIRE(manager->open_existing().ok());
    controller = std::make_unique<Controller>(config, *store, *flusher, *transport, *manager);
    REQUIRE(controller->open().ok());
    REQUIRE(run_until([&] { return controller->is_leader(); }));
  }
  ~OneNodeController() {
    (void)controller->close();
    (void)manager->close_all();
    transport->stop();
    flusher->stop();
  }

  // Ticks the controller and runs the io_context until `done` or 5 s pass.
  template <class Pred>
  bool run_until(Pred done) {
    const auto end = std::chrono::steady_clock::now() + 5s;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= end) return false;
      controller->tick();
      io.run_for(std::chrono::milliseconds(config.raft_tick_ms));
      io.restart();
    }
    return true;
  }

  void heartbeat(int32_t node, const std::string& rack, uint16_t port = 9000) {
    wire::BrokerHeartbeatRequest request;
    request.set_node_id(node);
    request.set_host("127.0.0.1");
    request.set_port(port);
    request.set_rack(rack);
    bool answered = false;
    controller->broker_heartbeat(request, [&](const wire::BrokerHeartbeatResponse& response) {
      CHECK(response.error_code() == 0);
      answered = true;
    });
    CHECK(answered);
  }

  ProducerIdBlock allocate(int32_t node) {
    std::optional<wire::AllocateProducerIdsResponse> got;
    controller->allocate_producer_ids(node, [&](const wire::AllocateProducerIdsResponse& r) { got = r; });
    REQUIRE(run_until([&] { return got.has_value(); }));
    REQUIRE(got->error_code() == 0);
    return ProducerIdBlock{got->producer_id_start(), got->producer_id_len()};
  }
};

}  // namespace

TEST_CASE("heartbeats register brokers, a new rack re-registers, silence fences and a heartbeat unfences") {
  test::TempDir dir;
  OneNodeController c(dir.path());
  c.heartbeat(0, "a");
  c.heartbeat(5, "b", 9005);
  REQUIRE(c.run_until([&] { return c.controller->brokers().all().size() == 2; }));
  REQUIRE(c.controller->brokers().find(5) != nullptr);
  CHECK(c.controller->brokers().find(5)->rack == "b");
  CHECK(c.controller->brokers().find(5)->address.port == 9005);

  const auto quiet_since = std::chrono::steady_clock::now();
  c.heartbeat(5, "c", 9005);
  REQUIRE(c.run_until([&] { return c.controller->brokers().find(5)->rack == "c"; }));

  // Node 5 goes quiet (node 0 is this controller and is never fenced by itself).
  REQUIRE(c.run_until([&] { return c.controller->brokers().find(5)->fenced; }));
  CHECK(std::chrono::steady_clock::now() - quiet_since >= 200ms);
  CHECK_FALSE(c.controller->brokers().find(0)->fenced);
  const auto live = c.controller->live_nodes();
  CHECK(std::find(live.begin(), live.end(), NodeId{5}) == live.end());

  c.heartbeat(5, "c", 9005);
  REQUIRE(c.run_until([&] { return !c.controller->brokers().find(5)->fenced; }));
}

TEST_CASE("producer id blocks are disjoint and continue after the controller reopens") {
  test::TempDir dir;
  int64_t end_before_reopen = 0;
  {
    OneNodeController c(dir.path());
    const auto first = c.allocate(1);
    const auto second = c.allocate(2);
    CHECK(first.length == 1000);
    CHECK(second.start >= first.start + first.length);
    end_before_reopen = second.start + second.length;
  }
  OneNodeController reopened(dir.path());
  CHECK(reopened.allocate(1).start >= end_before_reopen);
}
