// Delay mode: each direction adds at least the configured time; order is kept, also when the delay shrinks;
// large transfers go through the bounded queue intact.
#include <catch2/catch.hpp>

#include <thread>

#include "echo_server.h"
#include "proxy_limits.h"
#include "test_proxy.h"
#include "wait_until.h"

using namespace millrace::faultproxy;
using namespace millrace::faultproxy::testing;
using millrace::testing::wait_until;

TEST_CASE("delay adds at least the configured time in the chosen direction", "[proxy][delay]") {
  EchoServer echo;
  auto proxy = start_proxy(echo.port());
  LoopbackSocket socket(proxy->listen_port());
  REQUIRE(socket.valid());
  REQUIRE(round_trip(socket, "warm") == "warm");

  proxy->delay(DirectionSet::only(Direction::up), std::chrono::milliseconds(150));
  CHECK(round_trip_ms(socket, "up") >= 150);

  proxy->pass();
  proxy->delay(DirectionSet::only(Direction::down), std::chrono::milliseconds(150));
  CHECK(round_trip_ms(socket, "down") >= 150);

  proxy->delay(DirectionSet::both(), std::chrono::milliseconds(250));
  const int64_t both_ms = round_trip_ms(socket, "both");
  CHECK(both_ms >= 500);

  proxy->pass();
  const int64_t pass_ms = round_trip_ms(socket, "pass");
  CHECK(pass_ms >= 0);
  CHECK(pass_ms < 500);  // pass really ended the delay (the delayed round trip took at least 500 ms)
}

TEST_CASE("delay keeps order, also when the delay is shortened", "[proxy][delay]") {
  EchoServer echo;
  auto proxy = start_proxy(echo.port());
  LoopbackSocket socket(proxy->listen_port());
  REQUIRE(socket.valid());

  SECTION("many small writes arrive in order") {
    proxy->delay(DirectionSet::both(), std::chrono::milliseconds(20));
    std::string expected;
    for (int i = 0; i < 200; ++i) {
      const std::string message = std::to_string(i) + ",";
      expected += message;
      REQUIRE(socket.write_all(message, kIoTimeout));
    }
    CHECK(socket.read_exact(expected.size(), kIoTimeout) == std::optional<std::string>(expected));
  }
  SECTION("bytes read under a long delay are not overtaken after it is shortened") {
    proxy->delay(DirectionSet::only(Direction::up), std::chrono::milliseconds(300));
    REQUIRE(socket.write_all("A", kIoTimeout));
    REQUIRE(wait_until([&] { return proxy->stats().of(Direction::up).received_bytes == 1; }, kIoTimeout));
    proxy->pass();
    REQUIRE(socket.write_all("B", kIoTimeout));
    CHECK(socket.read_exact(2, kIoTimeout) == std::optional<std::string>("AB"));
  }
}

TEST_CASE("large transfers pass intact through a delay (bounded queue, back-pressure)", "[proxy][delay]") {
  EchoServer echo;
  auto proxy = start_proxy(echo.port());
  LoopbackSocket socket(proxy->listen_port());
  REQUIRE(socket.valid());
  proxy->delay(DirectionSet::both(), std::chrono::milliseconds(10));
  const std::string payload = pattern_bytes(4 * 1024 * 1024, 3);
  bool written = false;
  const auto begin = std::chrono::steady_clock::now();
  std::thread writer([&] { written = socket.write_all(payload, std::chrono::seconds(20)); });
  auto echoed = socket.read_exact(payload.size(), std::chrono::seconds(20));
  writer.join();
  CHECK(written);
  CHECK(echoed == std::optional<std::string>(payload));
  CHECK(std::chrono::steady_clock::now() - begin >= std::chrono::milliseconds(20));
}

TEST_CASE("a delayed direction buffers at most kPumpQueueBytesMax, then pushes back on the sender",
          "[proxy][delay]") {
  EchoServer echo;
  auto proxy = start_proxy(echo.port());
  LoopbackSocket socket(proxy->listen_port());
  REQUIRE(socket.valid());
  proxy->delay(DirectionSet::only(Direction::up), std::chrono::milliseconds(10'000));
  // Far more than the queue and both kernels' socket buffers can hold: the write cannot finish in time.
  const std::string flood = pattern_bytes(64 * 1024 * 1024, 9);
  CHECK_FALSE(socket.write_all(flood, std::chrono::milliseconds(300)));
  const uint64_t buffered = proxy->stats().of(Direction::up).received_bytes;
  CHECK(buffered >= kPumpQueueBytesMax);                    // it did fill the queue...
  CHECK(buffered <= kPumpQueueBytesMax + kReadChunkBytes);  // ...and stopped reading there
  CHECK(echo.received_bytes() == 0);
}
