#include "millrace/broker/broker.h"

#include <unistd.h>

#include <spdlog/spdlog.h>
#include <csignal>

#include <boost/asio/post.hpp>

#include "cluster.pb.h"
#include "millrace/broker/cluster_producer_id_allocator.h"
#include "millrace/broker/controller.h"
#include "millrace/broker/controller_channel.h"
#include "millrace/broker/data_dir_lock.h"
#include "millrace/broker/errc.h"
#include "millrace/broker/flusher.h"
#include "millrace/broker/local_producer_id_allocator.h"
#include "millrace/broker/log_cleaner_service.h"
#include "millrace/broker/native_handler.h"
#include "millrace/broker/partition_manager.h"
#include "millrace/broker/raft_transport.h"
#include "millrace/broker/server.h"
#include "millrace/protocol/errc.h"
#include "millrace/storage/rocksdb_kv_store.h"

namespace millrace::broker {

namespace {

constexpr auto kDrainPollInterval = std::chrono::milliseconds(5);
constexpr uint64_t kLeaderHintEveryTicks = 20;  // about once a second with the default 50 ms tick

HostPort advertised_address(const BrokerConfig& config, const HostPort& bound) {
  if (!config.advertise.host.empty()) return config.advertise;
  HostPort out = bound;
  if (out.host == "0.0.0.0" || out.host == "::") {
    char name[256] = {};
    out.host = ::gethostname(name, sizeof(name) - 1) == 0 ? std::string(name) : std::string("localhost");
  }
  return out;
}

}  // namespace

Broker::Broker(BrokerConfig config) : config_(std::move(config)) {}

Broker::~Broker() {
  if (cleaner_) cleaner_->stop();
  if (flusher_) flusher_->stop();
}

Status Broker::start() {
  auto lock = DataDirLock::acquire(config_.data_dir);
  if (!lock) return std::move(lock).error();
  lock_ = std::move(*lock);

  auto store = storage::RocksDbKvStore::open(config_.data_dir / "meta");
  if (!store) {
    return make_error(errc::data_dir_unusable, "cannot open metadata store in '" + config_.data_dir.string() +
                                                   "/meta': " + store.error().to_string());
  }
  store_ = std::move(*store);
  flusher_ = std::make_unique<Flusher>(io_, config_.page_cache_window_bytes);
  manager_ = std::make_unique<PartitionManager>(config_, *store_, *flusher_);
  if (!config_.peers.empty()) {
    transport_ = std::make_unique<RaftTransport>(io_, NodeId{config_.node_id}, config_.peers);
    manager_->enable_cluster(*transport_, *store_);
  }
  if (Status st = manager_->open_existing(); !st) return st;

  // The advertised address depends on the bound port (tests listen on port 0).
  // Producer id blocks: from this node's store on one node, from the controller in a cluster.
  if (transport_) {
    producer_ids_ = std::make_unique<ClusterProducerIdAllocator>(
        io_,
        [this](ClusterProducerIdAllocator::BlockFetched done) { fetch_producer_id_block(std::move(done)); });
  } else {
    producer_ids_ = std::make_unique<LocalProducerIdAllocator>(*store_, kProducerIdBlockSize);
  }
  handler_ = std::make_unique<NativeHandler>(io_, *manager_, *producer_ids_, config_, HostPort{});
  if (transport_) {
    if (Status st = start_cluster(); !st) return st;
  }
  server_ = std::make_unique<Server>(io_, config_, *handler_);
  if (Status st = server_->listen(); !st) return st;
  const HostPort bound = server_->local_address();
  handler_->set_advertised(advertised_address(config_, bound));

  server_->start_accepting();
  if (channel_) {
    send_broker_heartbeat();
    schedule_broker_heartbeat();
    static_cast<ClusterProducerIdAllocator&>(*producer_ids_).prefetch();
  }
  // Under `always` too: acks=0/1 batches on one node are fsynced by the next group commit or by this timer.
  schedule_interval_flush();
  schedule_retention();
  cleaner_ = std::make_unique<LogCleanerService>(io_, *manager_, config_);
  cleaner_->start();
  signals_.add(SIGINT);
  signals_.add(SIGTERM);
  signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("received signal {}, shutting down", signal);
    begin_shutdown();
  });
  spdlog::info("millraced node {} serving the native protocol on {} (data in {}, flush: {})", config_.node_id,
               bound.to_string(), config_.data_dir.string(),
               config_.flush == FlushPolicy::always ? "always" : "interval");
  return {};
}

Status Broker::start_cluster() {
  controller_ = std::make_unique<Controller>(config_, *store_, *flusher_, *transport_, *manager_);
  if (Status st = controller_->open(); !st) return st;
  handler_->enable_cluster(*controller_, *transport_);
  channel_ = std::make_shared<ControllerChannel>(io_, config_, *controller_, *handler_);
  schedule_raft_tick();
  std::string peers;
  for (const auto& p : config_.peers) {
    peers += (peers.empty() ? "" : ",") + std::to_string(p.node_id) + "@" + p.address.to_string();
  }
  spdlog::info("cluster mode: controller voters {}{}", peers,
               config_.rack.empty() ? std::string() : "; rack " + config_.rack);
  return {};
}

void Broker::schedule_broker_heartbeat() {
  broker_heartbeat_timer_.expires_after(std::chrono::milliseconds(config_.broker_heartbeat_interval_ms));
  broker_heartbeat_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || shutting_down_) return;
    send_broker_heartbeat();
    schedule_broker_heartbeat();
  });
}

void Broker::send_broker_heartbeat() {
  if (heartbeat_in_flight_) return;  // the last one is still looking for the controller
  heartbeat_in_flight_ = true;
  const HostPort advertised = advertised_address(config_, server_->local_address());
  wire::BrokerHeartbeatRequest request;
  request.set_node_id(config_.node_id);
  request.set_host(advertised.host);
  request.set_port(advertised.port);
  request.set_rack(config_.rack);
  channel_->send(protocol::ApiKey::broker_heartbeat, request,
                 std::chrono::milliseconds(config_.broker_session_timeout_ms / 2),
                 [this](Result<std::string> body) {
                   heartbeat_in_flight_ = false;
                   wire::BrokerHeartbeatResponse response;
                   if (!body) {
                     spdlog::debug("broker heartbeat: {}", body.error().to_string());
                   } else if (response.ParseFromString(*body) && response.error_code() != 0) {
                     spdlog::warn("broker heartbeat refused: {}", response.error_message());
                   }
                 });
}

void Broker::fetch_producer_id_block(std::function<void(Result<ProducerIdBlock>)> done) {
  if (!channel_) return done(make_error(protocol::errc::request_timed_out, "not in a cluster"));
  wire::AllocateProducerIdsRequest request;
  request.set_node_id(config_.node_id);
  channel_->send(
      protocol::ApiKey::allocate_producer_ids, request, kProducerIdWaitTimeout,
      [done = std::move(done)](Result<std::string> body) {
        if (!body) return done(std::move(body).error());
        wire::AllocateProducerIdsResponse response;
        if (!response.ParseFromString(*body)) {
          return done(make_error(protocol::errc::unknown_server_error, "unreadable producer id block"));
        }
        if (response.error_code() != 0) {
          return done(
              make_error(static_cast<protocol::errc>(response.error_code()), response.error_message()));
        }
        done(ProducerIdBlock{response.producer_id_start(), response.producer_id_len()});
      });
}

void Broker::schedule_raft_tick() {
  raft_timer_.expires_after(std::chrono::milliseconds(config_.raft_tick_ms));
  raft_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || shutting_down_) return;
    controller_->tick();
    manager_->tick_replicas();
    manager_->drive_reassignments();
    controller_->complete_reassignments();
    if (++raft_ticks_ % kLeaderHintEveryTicks == 0) {
      transport_->broadcast(manager_->leader_hints());
      manager_->rebalance_leaders();
    }
    schedule_raft_tick();
  });
}

HostPort Broker::listen_address() const {
  return server_ ? server_->local_address() : HostPort{};
}

int Broker::run() {
  io_.run();
  return exit_code_;
}

void Broker::stop() {
  boost::asio::post(io_, [this] { begin_shutdown(); });
}

void Broker::schedule_interval_flush() {
  flush_timer_.expires_after(std::chrono::milliseconds(config_.flush_interval_ms));
  flush_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || shutting_down_) return;
    manager_->flush_all();
    schedule_interval_flush();
  });
}

void Broker::schedule_retention() {
  retention_timer_.expires_after(std::chrono::milliseconds(config_.retention_check_interval_ms));
  retention_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || shutting_down_) return;
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    manager_->enforce_retention(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
    schedule_retention();
  });
}

void Broker::begin_shutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  signals_.cancel();
  flush_timer_.cancel();
  retention_timer_.cancel();
  raft_timer_.cancel();
  broker_heartbeat_timer_.cancel();
  if (transport_) static_cast<ClusterProducerIdAllocator&>(*producer_ids_).stop();
  if (channel_) channel_->stop();
  if (cleaner_) cleaner_->stop();  // a pass in progress leaves only temporary files
  server_->stop_accepting();
  server_->stop_reading_all();
  manager_->begin_shutdown();
  await_drain(std::chrono::steady_clock::now() + std::chrono::milliseconds(config_.shutdown_timeout_ms));
}

void Broker::await_drain(std::chrono::steady_clock::time_point deadline) {
  // In-flight produces complete as their fsyncs return (posted to this io_context), so drain by polling
  // the condition with a deadline rather than blocking the thread.
  const bool drained = manager_->pending_durable_acks() == 0 && server_->all_idle();
  if (drained || std::chrono::steady_clock::now() >= deadline) {
    if (!drained) spdlog::warn("shutdown timeout: failing requests still in flight");
    finish_shutdown();
    return;
  }
  drain_timer_.expires_after(kDrainPollInterval);
  drain_timer_.async_wait([this, deadline](const boost::system::error_code&) { await_drain(deadline); });
}

void Broker::finish_shutdown() {
  Status closed = manager_->close_all();
  if (controller_) {
    if (Status st = controller_->close(); !st && closed) closed = std::move(st);
  }
  if (transport_) transport_->stop();
  if (!closed) {
    spdlog::error("clean shutdown failed: {}", closed.error().to_string());
    exit_code_ = 1;
  }
  server_->close_all();
  flusher_->stop();
  spdlog::info("millraced node {} stopped{}", config_.node_id, closed ? " cleanly" : "");
  io_.stop();
}

}  // namespace millrace::broker
