// drop-frames: exactly K whole native-protocol frames are dropped in the chosen direction; the frames after
// them, and the other direction, pass intact -- however the bytes are split into writes.
#include <catch2/catch.hpp>

#include <vector>

#include "echo_server.h"
#include "test_proxy.h"
#include "wait_until.h"

using namespace millrace::faultproxy;
using namespace millrace::faultproxy::testing;
using millrace::testing::wait_until;

namespace {

std::string frames(uint32_t first, uint32_t last) {
  std::string out;
  for (uint32_t i = first; i <= last; ++i) out += make_frame(i);
  return out;
}

// Writes `bytes` in pieces of `piece` bytes (each its own send).
void write_in_pieces(LoopbackSocket& socket, const std::string& bytes, size_t piece) {
  for (size_t pos = 0; pos < bytes.size(); pos += piece) {
    REQUIRE(socket.write_all(std::string_view(bytes).substr(pos, piece), kIoTimeout));
  }
}

bool nothing_arrives(LoopbackSocket& socket) {
  std::string extra;
  return socket.read_some(extra, kQuietTimeout) == LoopbackSocket::ReadStatus::timeout;
}

}  // namespace

TEST_CASE("drop-frames down drops exactly K whole response frames", "[proxy][drop_frames]") {
  EchoServer echo;  // echoes each request frame back: the echo is the "response"
  auto proxy = start_proxy(echo.port());
  LoopbackSocket socket(proxy->listen_port());
  REQUIRE(socket.valid());
  proxy->drop_frames(DirectionSet::only(Direction::down), 2);

  const std::string sent = frames(1, 6);
  REQUIRE(socket.write_all(sent, kIoTimeout));
  const std::string expected = frames(3, 6);
  const auto received = socket.read_exact(expected.size(), kIoTimeout);
  REQUIRE(received);
  CHECK(frame_correlation_ids(*received) == std::vector<uint32_t>{3, 4, 5, 6});
  CHECK(nothing_arrives(socket));

  CHECK(echo.received_bytes() == sent.size());  // every request reached the server
  const auto stats = proxy->stats();
  CHECK(stats.of(Direction::down).dropped_frames == 2);
  CHECK(stats.of(Direction::down).dropped_bytes == make_frame(1).size() + make_frame(2).size());
  CHECK(stats.of(Direction::down).frames_to_drop == 0);
  CHECK(stats.of(Direction::up).dropped_frames == 0);

  // Later frames pass: the count was used up.
  const std::string more = frames(7, 8);
  CHECK(round_trip(socket, more) == more);
}

TEST_CASE("drop-frames up drops exactly K whole request frames, even split into tiny writes",
          "[proxy][drop_frames]") {
  EchoServer echo;
  auto proxy = start_proxy(echo.port());
  LoopbackSocket socket(proxy->listen_port());
  REQUIRE(socket.valid());
  REQUIRE(round_trip(socket, make_frame(0)) == make_frame(0));  // a frame before the fault passes
  proxy->drop_frames(DirectionSet::only(Direction::up), 3);

  write_in_pieces(socket, frames(1, 5), 7);  // prefixes and bodies split across writes
  const std::string expected = frames(4, 5);
  const auto received = socket.read_exact(expected.size(), kIoTimeout);
  REQUIRE(received);
  CHECK(frame_correlation_ids(*received) == std::vector<uint32_t>{4, 5});
  CHECK(nothing_arrives(socket));
  CHECK(echo.received_bytes() == make_frame(0).size() + expected.size());  // the server never saw 1..3
  CHECK(proxy->stats().of(Direction::up).dropped_frames == 3);
}

TEST_CASE("drop-frames lets a producer's request through and loses its response", "[proxy][drop_frames]") {
  EchoServer echo;
  auto proxy = start_proxy(echo.port());
  LoopbackSocket socket(proxy->listen_port());
  REQUIRE(socket.valid());
  proxy->drop_frames(DirectionSet::only(Direction::down), 1);

  const std::string request = make_frame(42);
  REQUIRE(socket.write_all(request, kIoTimeout));
  REQUIRE(wait_until([&] { return proxy->stats().of(Direction::down).dropped_frames == 1; }, kIoTimeout));
  CHECK(echo.received_bytes() == request.size());
  CHECK(nothing_arrives(socket));
  // The "retry" on the same connection gets its response.
  CHECK(round_trip(socket, request) == request);
}
