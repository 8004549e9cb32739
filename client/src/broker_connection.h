#pragma once
// BrokerConnection: the client's TCP connection to one broker address, with pipelined requests.
//
// Contract:
//  - I/O thread only (not thread-safe). Owned by NetworkClient through shared_ptr; its coroutines hold a
//    reference while they run.
//  - send() queues a request and connects first if needed (lazily, after reconnect_backoff_ms if the last
//    attempt failed). Requests are written in send() order and may be pipelined; responses must come back
//    in the same order with the correlation ids this connection chose, or the connection is dropped.
//  - Every request's handler runs exactly once: with its response, or with an error when the connection
//    fails (NETWORK_EXCEPTION), its response is late (REQUEST_TIMED_OUT, and the connection is closed
//    because the requests behind it are stuck too), a response is malformed (client::errc::bad_response),
//    or close() is called.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>

#include "millrace/client/broker_address.h"
#include "millrace/client/connection_config.h"
#include "outbound_request.h"

namespace millrace::client::internal {

class BrokerConnection : public std::enable_shared_from_this<BrokerConnection> {
 public:
  using Clock = std::chrono::steady_clock;

  BrokerConnection(boost::asio::io_context& io, BrokerAddress address, const ConnectionConfig& config);
  ~BrokerConnection();

  void send(OutboundRequest request);
  // Fails every queued and in-flight request with `reason` and drops the socket. The next send() reconnects.
  void close(const Error& reason);

  const BrokerAddress& address() const { return address_; }
  bool connected() const;
  // Whether the last connection attempt failed less than reconnect_backoff_ms ago.
  bool in_backoff(Clock::time_point now) const;
  // Requests queued or awaiting a response.
  size_t pending_count() const { return outbox_.size() + in_flight_.size(); }

 private:
  struct Session;
  struct Queued {
    uint32_t correlation_id;
    OutboundRequest request;
    Clock::time_point deadline;
  };
  struct InFlight {
    uint32_t correlation_id;
    protocol::ApiKey api_key;
    std::chrono::milliseconds timeout;
    Clock::time_point deadline;
    ResponseHandler on_done;
  };

  void start_session();
  boost::asio::awaitable<void> run_session(std::shared_ptr<Session> session, Clock::duration delay);
  boost::asio::awaitable<void> write_loop(std::shared_ptr<Session> session);
  boost::asio::awaitable<void> read_loop(std::shared_ptr<Session> session);
  // Reads the rest of a frame larger than the receive buffer into its own buffer, after the `received`
  // part, and delivers it. False if the session failed.
  boost::asio::awaitable<bool> read_large_frame(std::shared_ptr<Session> session, ByteView received,
                                                size_t total_bytes);
  Error read_error(const boost::system::error_code& ec) const;
  boost::asio::awaitable<void> deadline_loop(std::shared_ptr<Session> session);
  // Hands a response frame to the oldest in-flight request. False (and the session failed) on a mismatch.
  bool deliver(const std::shared_ptr<Session>& session, ResponseFrame frame);
  void expire_queued(Clock::time_point now);
  void fail_session(const std::shared_ptr<Session>& session, const Error& reason);
  Error network_error(const std::string& what) const;

  boost::asio::io_context& io_;
  BrokerAddress address_;
  ConnectionConfig config_;
  std::shared_ptr<Session> session_;  // null when disconnected
  std::deque<Queued> outbox_;         // not yet written
  std::deque<InFlight> in_flight_;    // written, awaiting a response, in order
  uint32_t next_correlation_id_ = 1;
  Clock::time_point last_failure_{};
  // Spent buffers of large frames (fetch responses), written again by the next ones; shared with the frames,
  // which may outlive the connection.
  std::shared_ptr<SpareFrameBuffers> spare_frames_;
};

}  // namespace millrace::client::internal
