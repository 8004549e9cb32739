#pragma once
// ProxyServer: the data listener. Accepts client connections on a loopback port and gives each one a
// ProxyConnection to the target. While the reset fault is in force (FaultState::refusing()) or
// kConnectionsMax connections are open, an accepted connection is closed at once with RST: to the client
// this looks like a refused or reset connection, and the listening port stays ours for when it heals.
//
// Thread-safety: event-loop thread only (listen() may run before the loop does). Ownership: owns the acceptor
// and the resolved target; borrows the FaultState; tracks connections by weak_ptr.
#include <memory>
#include <vector>

#include "asio_types.h"
#include "fault_state.h"
#include "millrace/protocol/result.h"
#include "proxy_connection.h"

namespace millrace::faultproxy {

class ProxyServer {
 public:
  ProxyServer(asio::io_context& io, FaultState& faults, uint32_t max_frame_bytes);

  // Binds and listens on `endpoint` and records the target to forward to.
  Status listen(const tcp::endpoint& endpoint, tcp::resolver::results_type target);
  uint16_t port() const;
  void start_accepting();
  // Resets every open connection (the `reset` fault).
  void abort_all();
  // Stops accepting and resets every open connection.
  void stop();

 private:
  awaitable<void> accept_loop();
  void prune();

  asio::io_context& io_;
  FaultState& faults_;
  uint32_t max_frame_bytes_;
  tcp::acceptor acceptor_;
  tcp::resolver::results_type target_;
  std::vector<std::weak_ptr<ProxyConnection>> connections_;
  bool stopped_ = false;
};

// Opens, binds and listens; errors name the endpoint and the reason. Shared with the ControlServer.
Status listen_on(tcp::acceptor& acceptor, const tcp::endpoint& endpoint);
// Waits kAcceptRetryDelay, so that a failing accept (out of descriptors) does not spin. Shared likewise.
awaitable<void> pause_after_failed_accept(const asio::any_io_executor& executor);

}  // namespace millrace::faultproxy
