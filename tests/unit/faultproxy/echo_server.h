#pragma once
// EchoServer: an in-process loopback TCP server for the fault proxy tests, on its own thread.
//   echo:             writes back every byte it reads; at the client's end of stream it shuts down its own
//                     sending side (passing the half-close back) and closes.
//   greet_then_sink:  sends `greeting` at once, shuts down its sending side, then reads and counts bytes
//                     until the client's end of stream (the server half-closes first).
// Counters are safe to read from any thread.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace millrace::faultproxy::testing {

class EchoServer {
 public:
  enum class Behaviour { echo, greet_then_sink };

  explicit EchoServer(Behaviour behaviour = Behaviour::echo, std::string greeting = "");
  ~EchoServer();

  uint16_t port() const { return port_; }
  uint64_t accepted() const { return accepted_; }
  uint64_t received_bytes() const { return received_bytes_; }
  uint64_t ends_seen() const { return ends_seen_; }  // connections whose client sent end of stream
  uint64_t closed() const { return closed_; }        // connections that ended, cleanly or not

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);
  boost::asio::awaitable<bool> echo(boost::asio::ip::tcp::socket& socket);
  boost::asio::awaitable<bool> greet_then_sink(boost::asio::ip::tcp::socket& socket);

  Behaviour behaviour_;
  std::string greeting_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<uint64_t> accepted_{0};
  std::atomic<uint64_t> received_bytes_{0};
  std::atomic<uint64_t> ends_seen_{0};
  std::atomic<uint64_t> closed_{0};
  std::thread thread_;
};

}  // namespace millrace::faultproxy::testing
