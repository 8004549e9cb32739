#pragma once
// ControllerChannel: request/response frames of the native protocol from this broker to the controller
// group's leader (broker_heartbeat, allocate_producer_ids). One request is in flight at a time, over one
// connection to the current leader; the rest wait in a bounded queue (kControllerChannelMaxQueued).
//
// Finding the leader: a NOT_CONTROLLER answer's controller_id hint first, else the controller Raft group's
// own view, else the initial voters in turn (a broker that is not yet a member knows no leader). After
// NOT_CONTROLLER, an error frame, a broken connection or an attempt that takes longer than
// kControllerAttemptTimeout, it looks for the leader again and retries with a backoff (50 ms doubling to
// 1 s) until the request's deadline, which fails it with REQUEST_TIMED_OUT. When this node leads the
// controller group, the request is handed to the local RequestHandler without a socket.
//
// Every response body of these APIs starts with wire::ControllerResponseStatus (error_code, error_message,
// controller_id); callers get the whole body on success (error_code 0, or any code but NOT_CONTROLLER).
//
// Thread-safety: network thread only. Owned through a shared_ptr (callbacks keep it alive); stop() before
// the io_context goes away.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "millrace/broker/broker_config.h"
#include "millrace/broker/request_handler.h"
#include "millrace/protocol/frame_format.h"
#include "millrace/protocol/result.h"

namespace google::protobuf {
class MessageLite;
}

namespace millrace::broker {

class Controller;

constexpr size_t kControllerChannelMaxQueued = 64;
constexpr auto kControllerAttemptTimeout = std::chrono::milliseconds(2000);

class ControllerChannel : public std::enable_shared_from_this<ControllerChannel> {
 public:
  using Done = std::function<void(Result<std::string> body)>;

  ControllerChannel(boost::asio::io_context& io, const BrokerConfig& config, Controller& controller,
                    RequestHandler& local);

  // Queues one request; `done` runs once with the response body or an error (deadline passed, queue
  // full, channel stopped).
  void send(protocol::ApiKey key, const google::protobuf::MessageLite& body,
            std::chrono::milliseconds timeout, Done done);
  // Fails what is queued and closes the connection; later sends fail at once.
  void stop();

 private:
  struct Request {
    protocol::ApiKey key;
    std::string body;
    std::chrono::steady_clock::time_point deadline;
    Done done;
  };

  void pump();
  std::optional<int32_t> pick_target();
  std::optional<HostPort> address_of(int32_t node) const;
  Buffer encode_front();
  void send_local();
  void send_remote(int32_t node);
  void write_front(uint64_t attempt);
  void read_response(uint64_t attempt);
  void on_response(uint64_t attempt, Buffer frame);
  void retry_later();
  void close_connection();
  void finish(Result<std::string> result);

  boost::asio::io_context& io_;
  const BrokerConfig& config_;
  Controller& controller_;
  RequestHandler& local_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer attempt_timer_;
  boost::asio::steady_timer backoff_timer_;
  std::deque<Request> queue_;
  Buffer read_buffer_;
  int32_t connected_node_ = -1;  // the node socket_ is connected to (-1: none)
  int32_t hint_ = -1;            // the leader a NOT_CONTROLLER answer named (used once)
  size_t next_candidate_ = 0;
  uint64_t attempt_ = 0;  // bumps on every attempt so stale callbacks are ignored
  uint32_t correlation_id_ = 0;
  int backoff_ms_ = 0;
  bool busy_ = false;
  bool stopped_ = false;
};

}  // namespace millrace::broker
