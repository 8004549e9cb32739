// Reset: every open connection is closed, new ones are refused until heal.
#include <catch2/catch.hpp>

#include "echo_server.h"
#include "test_proxy.h"
#include "wait_until.h"

using namespace millrace::faultproxy;
using namespace millrace::faultproxy::testing;
using millrace::testing::wait_until;

TEST_CASE("reset closes open connections and refuses new ones until heal", "[proxy][reset]") {
  EchoServer echo;
  auto proxy = start_proxy(echo.port());
  LoopbackSocket first(proxy->listen_port());
  LoopbackSocket second(proxy->listen_port());
  REQUIRE(round_trip(first, "one") == "one");
  REQUIRE(round_trip(second, "two") == "two");

  proxy->reset();
  CHECK(first.wait_closed(kIoTimeout));
  CHECK(second.wait_closed(kIoTimeout));
  CHECK(wait_until([&] { return echo.closed() == 2; }, kIoTimeout));  // the server side was cut too
  CHECK(wait_until([&] { return proxy->stats().open_connections == 0; }, kIoTimeout));

  LoopbackSocket refused(proxy->listen_port());  // the kernel accepts; the proxy resets it at once
  CHECK(refused.wait_closed(kIoTimeout));
  CHECK(wait_until([&] { return proxy->stats().refused_connections == 1; }, kIoTimeout));
  CHECK(echo.accepted() == 2);  // nothing reached the server

  proxy->heal();
  LoopbackSocket healed(proxy->listen_port());
  CHECK(round_trip(healed, "three") == "three");
  CHECK(echo.accepted() == 3);
}

TEST_CASE("reset also cuts a connection in the middle of a delay", "[proxy][reset]") {
  EchoServer echo;
  auto proxy = start_proxy(echo.port());
  LoopbackSocket socket(proxy->listen_port());
  REQUIRE(round_trip(socket, "hi") == "hi");
  proxy->delay(DirectionSet::both(), std::chrono::milliseconds(10'000));
  REQUIRE(socket.write_all("held", kIoTimeout));
  REQUIRE(wait_until([&] { return proxy->stats().of(Direction::up).received_bytes == 6; }, kIoTimeout));
  proxy->reset();
  CHECK(socket.wait_closed(kIoTimeout));  // at once, not after the 10 s delay
  CHECK(echo.received_bytes() == 2);
}
