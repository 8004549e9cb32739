#pragma once
// PeerLink: one outgoing TCP connection to another broker, used to send whole frames and nothing else. It
// connects on first use, reconnects after a failure with a growing backoff, reads and discards whatever
// the peer sends back, and drops frames while the queue is over its byte limit.
// Thread-safety: network thread only.
#include <deque>
#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "millrace/broker/broker_config.h"
#include "millrace/protocol/bytes.h"

namespace millrace::broker {

class PeerLink : public std::enable_shared_from_this<PeerLink> {
 public:
  PeerLink(boost::asio::io_context& io, HostPort address, size_t max_queued_bytes);

  void send(Buffer frame);
  void stop();

 private:
  void connect();
  void on_connected(const boost::system::error_code& ec);
  void write_next();
  void read_and_discard();
  void fail(const std::string& what, const boost::system::error_code& ec);

  boost::asio::io_context& io_;
  HostPort address_;
  size_t max_queued_bytes_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer retry_timer_;
  std::deque<Buffer> queue_;
  size_t queued_bytes_ = 0;
  Buffer discard_buffer_;
  enum class State { idle, connecting, connected, waiting } state_ = State::idle;
  bool writing_ = false;
  bool stopped_ = false;
  int backoff_ms_ = 0;
  uint64_t generation_ = 0;  // bumps on every (re)connect so stale callbacks are ignored
};

}  // namespace millrace::broker
