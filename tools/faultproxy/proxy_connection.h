#pragma once
// ProxyConnection: one accepted client connection and its connection to the target, joined by two Pumps
// (up: client -> target, down: target -> client).
//
// Life: start() connects to the target (kConnectTimeout); if that fails the client connection is reset and
// the pumps never run. Then four loops run (a reader and a writer per direction). Each direction ends on its
// own (half-close); when all four have ended cleanly both sockets are closed. Any error -- a peer reset, a
// failed write -- aborts the whole connection: both sockets are closed with RST (SO_LINGER 0), as a real
// network failure would look to both peers. abort() does the same on request (the `reset` fault).
//
// Thread-safety: event-loop thread only. Lifetime: shared_ptr; its running loops hold references, and the
// ProxyServer only keeps a weak_ptr.
#include <memory>

#include "asio_types.h"
#include "fault_state.h"
#include "pump.h"

namespace millrace::faultproxy {

class ProxyConnection : public std::enable_shared_from_this<ProxyConnection> {
 public:
  ProxyConnection(tcp::socket client, const tcp::resolver::results_type& target, FaultState& faults,
                  uint32_t max_frame_bytes);

  void start();
  // Closes both sockets with RST and stops the pumps. Idempotent.
  void abort();
  bool closed() const { return closed_; }

 private:
  static awaitable<void> connect_then_pump(std::shared_ptr<ProxyConnection> self);
  static awaitable<void> run_reader(std::shared_ptr<ProxyConnection> self, Pump& pump);
  static awaitable<void> run_writer(std::shared_ptr<ProxyConnection> self, Pump& pump);
  void loop_ended(bool clean);
  void close(bool with_reset);

  tcp::socket client_;
  tcp::socket server_;
  const tcp::resolver::results_type& target_;
  FaultState& faults_;
  Pump up_;
  Pump down_;
  asio::steady_timer connect_timer_;
  int loops_running_ = 0;
  bool closed_ = false;
};

}  // namespace millrace::faultproxy
