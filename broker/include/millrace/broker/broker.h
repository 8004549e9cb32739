#pragma once
// Broker: one millraced node. Owns the network thread's io_context, the data directory lock, the node-local
// metadata store, the flusher, the partitions and the native listener.
//
// Lifecycle: start() (fails with a clear error on a bad data dir or occupied port), then run() on the
// calling thread until SIGINT/SIGTERM or stop(). Shutdown stops accepting and reading, lets in-flight
// requests finish (up to shutdown_timeout_ms), flushes every partition and writes clean-shutdown markers.
#include <functional>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "millrace/broker/broker_config.h"
#include "millrace/protocol/result.h"

namespace millrace::storage {
class KvStore;
}

namespace millrace::broker {

class DataDirLock;
class Flusher;
class LogCleanerService;
class PartitionManager;
class NativeHandler;
class ProducerIdAllocator;
class Server;
class RaftTransport;
class Controller;
class ControllerChannel;
struct ProducerIdBlock;

class Broker {
 public:
  explicit Broker(BrokerConfig config);
  ~Broker();
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  Status start();
  // Runs until shut down. Returns the process exit code (0 after a clean shutdown).
  int run();
  // Thread-safe request to shut down.
  void stop();
  HostPort listen_address() const;

 private:
  void schedule_interval_flush();
  void schedule_retention();
  void schedule_raft_tick();
  Status start_cluster();
  // Cluster mode (controller channel): heartbeats and producer id blocks.
  void schedule_broker_heartbeat();
  void send_broker_heartbeat();
  void fetch_producer_id_block(std::function<void(Result<ProducerIdBlock>)> done);
  void begin_shutdown();
  void await_drain(std::chrono::steady_clock::time_point deadline);
  void finish_shutdown();

  BrokerConfig config_;
  boost::asio::io_context io_{1};
  boost::asio::signal_set signals_{io_};
  boost::asio::steady_timer flush_timer_{io_};
  boost::asio::steady_timer retention_timer_{io_};
  boost::asio::steady_timer drain_timer_{io_};
  boost::asio::steady_timer raft_timer_{io_};
  boost::asio::steady_timer broker_heartbeat_timer_{io_};
  std::unique_ptr<DataDirLock> lock_;
  std::unique_ptr<storage::KvStore> store_;
  std::unique_ptr<Flusher> flusher_;
  std::unique_ptr<RaftTransport> transport_;
  std::unique_ptr<PartitionManager> manager_;
  std::unique_ptr<Controller> controller_;
  std::shared_ptr<ControllerChannel> channel_;  // cluster mode: requests to the controller leader
  std::unique_ptr<LogCleanerService> cleaner_;  // log compaction
  std::unique_ptr<ProducerIdAllocator> producer_ids_;
  std::unique_ptr<NativeHandler> handler_;
  std::unique_ptr<Server> server_;
  bool shutting_down_ = false;
  bool heartbeat_in_flight_ = false;
  uint64_t raft_ticks_ = 0;
  int exit_code_ = 0;
};

}  // namespace millrace::broker
