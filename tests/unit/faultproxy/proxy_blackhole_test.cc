// Blackhole: bytes are LOST (like a network partition), connections stay open, heal resumes delivery of
// bytes sent afterwards and never replays the lost ones.
#include <catch2/catch.hpp>

#include "echo_server.h"
#include "test_proxy.h"
#include "wait_until.h"

using namespace millrace::faultproxy;
using namespace millrace::faultproxy::testing;
using millrace::testing::wait_until;

namespace {

// After a drop the test has waited for, nothing at all may arrive.
bool nothing_arrives(LoopbackSocket& socket) {
  std::string extra;
  return socket.read_some(extra, kQuietTimeout) == LoopbackSocket::ReadStatus::timeout;
}

}  // namespace

TEST_CASE("blackhole up loses requests, heal resumes with the next bytes", "[proxy][blackhole]") {
  EchoServer echo;
  auto proxy = start_proxy(echo.port());
  LoopbackSocket socket(proxy->listen_port());
  REQUIRE(socket.valid());
  REQUIRE(round_trip(socket, "ping") == "ping");

  proxy->blackhole(DirectionSet::only(Direction::up));
  REQUIRE(socket.write_all("lost!", kIoTimeout));
  REQUIRE(wait_until([&] { return proxy->stats().of(Direction::up).dropped_bytes == 5; }, kIoTimeout));
  CHECK(echo.received_bytes() == 4);  // only "ping" ever reached the server
  CHECK(nothing_arrives(socket));

  proxy->heal();
  CHECK(round_trip(socket, "back") == "back");
  CHECK(nothing_arrives(socket));  // the lost bytes are not replayed
  CHECK(echo.received_bytes() == 8);
  CHECK(proxy->stats().open_connections == 1);
}

TEST_CASE("blackhole down loses responses, heal resumes with the next bytes", "[proxy][blackhole]") {
  EchoServer echo;
  auto proxy = start_proxy(echo.port());
  LoopbackSocket socket(proxy->listen_port());
  REQUIRE(socket.valid());
  REQUIRE(round_trip(socket, "ping") == "ping");

  proxy->blackhole(DirectionSet::only(Direction::down));
  REQUIRE(socket.write_all("abc", kIoTimeout));
  REQUIRE(wait_until([&] { return proxy->stats().of(Direction::down).dropped_bytes == 3; }, kIoTimeout));
  CHECK(echo.received_bytes() == 7);  // the request got through; its answer did not
  CHECK(nothing_arrives(socket));

  proxy->heal();
  CHECK(round_trip(socket, "def") == "def");
  CHECK(nothing_arrives(socket));
}

TEST_CASE("under blackhole connections stay open and new ones are accepted", "[proxy][blackhole]") {
  EchoServer echo;
  auto proxy = start_proxy(echo.port());
  proxy->blackhole(DirectionSet::both());
  LoopbackSocket socket(proxy->listen_port());
  REQUIRE(socket.valid());
  REQUIRE(wait_until([&] { return echo.accepted() == 1; }, kIoTimeout));
  REQUIRE(socket.write_all(pattern_bytes(300 * 1024, 5), kIoTimeout));  // drained, not back-pressured
  REQUIRE(
      wait_until([&] { return proxy->stats().of(Direction::up).dropped_bytes == 300 * 1024; }, kIoTimeout));
  CHECK(echo.received_bytes() == 0);
  CHECK(nothing_arrives(socket));  // a timeout, not a close
  proxy->heal();
  CHECK(round_trip(socket, "alive") == "alive");
}

TEST_CASE("delayed bytes that fall due during a blackhole are lost too", "[proxy][blackhole]") {
  EchoServer echo;
  auto proxy = start_proxy(echo.port());
  LoopbackSocket socket(proxy->listen_port());
  REQUIRE(socket.valid());
  proxy->delay(DirectionSet::only(Direction::up), std::chrono::milliseconds(200));
  REQUIRE(socket.write_all("x", kIoTimeout));
  REQUIRE(wait_until([&] { return proxy->stats().of(Direction::up).received_bytes == 1; }, kIoTimeout));
  proxy->blackhole(DirectionSet::only(Direction::up));  // the queued "x" falls due while blackholed
  REQUIRE(wait_until([&] { return proxy->stats().of(Direction::up).dropped_bytes == 1; }, kIoTimeout));
  proxy->heal();
  CHECK(round_trip(socket, "y") == "y");
  CHECK(echo.received_bytes() == 1);
}
