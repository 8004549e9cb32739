// Pass mode: bytes go through unchanged, in both directions, on several connections at once; end of stream
// passes through in either direction (half-close); a closed target closes the client connection.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <thread>
#include <vector>

#include "echo_server.h"
#include "test_proxy.h"
#include "wait_until.h"

using namespace millrace::faultproxy;
using namespace millrace::faultproxy::testing;
using millrace::testing::wait_until;

namespace {

// Sends `payload` from a second thread while this one reads the echo, so neither side blocks the other.
std::string echo_large(LoopbackSocket& socket, const std::string& payload) {
  bool written = false;
  std::thread writer([&] { written = socket.write_all(payload, std::chrono::seconds(20)); });
  auto echoed = socket.read_exact(payload.size(), std::chrono::seconds(20));
  writer.join();
  CHECK(written);
  return echoed.value_or("");
}

// A loopback port with nothing listening on it (bound, then released).
uint16_t unused_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

}  // namespace

TEST_CASE("bytes pass through unchanged, large transfers both ways", "[proxy]") {
  EchoServer echo;
  auto proxy = start_proxy(echo.port());
  constexpr size_t kLargeBytes = 8 * 1024 * 1024;
  const std::string payload = pattern_bytes(kLargeBytes, 1);
  LoopbackSocket socket(proxy->listen_port());
  REQUIRE(socket.valid());
  CHECK(echo_large(socket, payload) == payload);
  // The proxy counts a write when it completes, which may be just after the client has read the bytes.
  CHECK(wait_until(
      [&] {
        const auto stats = proxy->stats();
        return stats.of(Direction::up).forwarded_bytes == kLargeBytes &&
               stats.of(Direction::down).forwarded_bytes == kLargeBytes;
      },
      kIoTimeout));
  const auto stats = proxy->stats();
  CHECK(stats.of(Direction::up).dropped_bytes == 0);
  CHECK(stats.of(Direction::down).dropped_bytes == 0);
  CHECK(stats.open_connections == 1);
}

TEST_CASE("several connections at once keep their own bytes", "[proxy]") {
  EchoServer echo;
  auto proxy = start_proxy(echo.port());
  constexpr int kConnections = 4;
  constexpr size_t kBytesEach = 1024 * 1024;
  std::vector<std::string> results(kConnections);
  std::vector<std::thread> clients;
  for (int i = 0; i < kConnections; ++i) {
    clients.emplace_back([&, i] {
      LoopbackSocket socket(proxy->listen_port());
      if (!socket.valid()) return;
      const std::string payload = pattern_bytes(kBytesEach, static_cast<uint32_t>(100 + i));
      bool written = false;
      std::thread writer([&] { written = socket.write_all(payload, std::chrono::seconds(20)); });
      auto echoed = socket.read_exact(payload.size(), std::chrono::seconds(20));
      writer.join();
      if (written && echoed) results[static_cast<size_t>(i)] = *echoed;
    });
  }
  for (auto& client : clients) client.join();
  for (int i = 0; i < kConnections; ++i) {
    INFO("connection " << i);
    CHECK(results[static_cast<size_t>(i)] == pattern_bytes(kBytesEach, static_cast<uint32_t>(100 + i)));
  }
  CHECK(proxy->stats().accepted_connections == kConnections);
}

TEST_CASE("half-close: the client's end of stream reaches the server, the answer still comes back",
          "[proxy]") {
  EchoServer echo;
  auto proxy = start_proxy(echo.port());
  LoopbackSocket socket(proxy->listen_port());
  REQUIRE(socket.valid());
  REQUIRE(socket.write_all("last words", kIoTimeout));
  socket.shutdown_write();
  CHECK(socket.read_exact(10, kIoTimeout) == std::optional<std::string>("last words"));
  CHECK(socket.wait_closed(kIoTimeout));  // the server's own end of stream came through too
  CHECK(wait_until([&] { return echo.ends_seen() == 1; }, kIoTimeout));
  CHECK(wait_until([&] { return proxy->stats().open_connections == 0; }, kIoTimeout));
}

TEST_CASE("half-close: the server ends first and the client can still send", "[proxy]") {
  EchoServer server(EchoServer::Behaviour::greet_then_sink, "hello, then silence");
  auto proxy = start_proxy(server.port());
  LoopbackSocket socket(proxy->listen_port());
  REQUIRE(socket.valid());
  CHECK(socket.read_exact(19, kIoTimeout) == std::optional<std::string>("hello, then silence"));
  CHECK(socket.wait_closed(kIoTimeout));  // the server's end of stream
  const std::string upload = pattern_bytes(256 * 1024, 7);
  REQUIRE(socket.write_all(upload, kIoTimeout));
  CHECK(wait_until([&] { return server.received_bytes() == upload.size(); }, kIoTimeout));
  socket.shutdown_write();
  CHECK(wait_until([&] { return server.ends_seen() == 1; }, kIoTimeout));
}

TEST_CASE("a closed target closes the client connection and the proxy carries on", "[proxy]") {
  auto proxy = start_proxy(unused_port());
  for (int attempt = 0; attempt < 2; ++attempt) {
    LoopbackSocket socket(proxy->listen_port());
    REQUIRE(socket.valid());
    socket.write_all("anyone there?", kIoTimeout);  // may fail once the proxy has reset the connection
    CHECK(socket.wait_closed(kIoTimeout));
  }
  CHECK(wait_until([&] { return proxy->stats().failed_connects == 2; }, kIoTimeout));
  CHECK(wait_until([&] { return proxy->stats().open_connections == 0; }, kIoTimeout));
  CHECK(proxy->execute("stats").rfind("ok ", 0) == 0);
}
