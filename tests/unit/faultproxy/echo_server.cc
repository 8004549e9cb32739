#include "echo_server.h"

#include <array>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace millrace::faultproxy::testing {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr size_t kEchoChunkBytes = 16 * 1024;
}  // namespace

EchoServer::EchoServer(Behaviour behaviour, std::string greeting)
    : behaviour_(behaviour), greeting_(std::move(greeting)), acceptor_(io_) {
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  acceptor_.open(endpoint.protocol());
  acceptor_.bind(endpoint);
  acceptor_.listen();
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(io_, accept_loop(), asio::detached);
  thread_ = std::thread([this] { io_.run(); });
}

EchoServer::~EchoServer() {
  io_.stop();
  thread_.join();
}

asio::awaitable<void> EchoServer::accept_loop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(kNoThrow);
    if (ec) co_return;
    ++accepted_;
    asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> EchoServer::serve(tcp::socket socket) {
  const bool clean = behaviour_ == Behaviour::echo ? co_await echo(socket) : co_await greet_then_sink(socket);
  if (clean) ++ends_seen_;
  boost::system::error_code ignored;
  socket.close(ignored);
  ++closed_;
}

asio::awaitable<bool> EchoServer::echo(tcp::socket& socket) {
  std::array<char, kEchoChunkBytes> buffer{};
  for (;;) {
    auto [read_ec, bytes] = co_await socket.async_read_some(asio::buffer(buffer), kNoThrow);
    if (read_ec == asio::error::eof) {
      boost::system::error_code ignored;
      socket.shutdown(tcp::socket::shutdown_send, ignored);
      co_return true;
    }
    if (read_ec) co_return false;
    received_bytes_ += bytes;
    auto [write_ec, written] =
        co_await asio::async_write(socket, asio::buffer(buffer.data(), bytes), kNoThrow);
    if (write_ec) co_return false;
  }
}

asio::awaitable<bool> EchoServer::greet_then_sink(tcp::socket& socket) {
  auto [write_ec, written] = co_await asio::async_write(socket, asio::buffer(greeting_), kNoThrow);
  if (write_ec) co_return false;
  boost::system::error_code shutdown_ec;
  socket.shutdown(tcp::socket::shutdown_send, shutdown_ec);
  std::array<char, kEchoChunkBytes> buffer{};
  for (;;) {
    auto [read_ec, bytes] = co_await socket.async_read_some(asio::buffer(buffer), kNoThrow);
    if (read_ec == asio::error::eof) co_return true;
    if (read_ec) co_return false;
    received_bytes_ += bytes;
  }
}

}  // namespace millrace::faultproxy::testing
