#include "test_proxy.h"

#include <catch2/catch.hpp>

#include "millrace.pb.h"
#include "millrace/protocol/frame.h"

namespace millrace::faultproxy::testing {

std::unique_ptr<FaultProxy> start_proxy(uint16_t target_port, bool control_enabled) {
  FaultProxyOptions options;
  options.target_port = target_port;
  options.control_enabled = control_enabled;
  auto proxy = std::make_unique<FaultProxy>(options);
  const auto status = proxy->start();
  INFO((status ? std::string() : status.error().to_string()));
  REQUIRE(status);
  REQUIRE(proxy->listen_port() != 0);
  return proxy;
}

std::string round_trip(LoopbackSocket& socket, const std::string& message) {
  if (!socket.write_all(message, kIoTimeout)) return {};
  return socket.read_exact(message.size(), kIoTimeout).value_or("");
}

int64_t round_trip_ms(LoopbackSocket& socket, const std::string& message) {
  const auto begin = std::chrono::steady_clock::now();
  if (round_trip(socket, message) != message) return -1;
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - begin)
      .count();
}

std::string pattern_bytes(size_t count, uint32_t seed) {
  std::string out(count, '\0');
  uint32_t state = seed * 2654435761u + 1;
  for (auto& c : out) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    c = static_cast<char>(state & 0xFF);
  }
  return out;
}

std::string make_frame(uint32_t index) {
  wire::MetadataRequest body;
  body.add_topics("topic-" + std::to_string(index));
  const std::string payload = pattern_bytes(index * 37, index);
  Buffer frame;
  protocol::append_frame(frame, protocol::ApiKey::metadata, index, body,
                         ByteView(payload.data(), payload.size()));
  return std::string(frame.begin(), frame.end());
}

std::vector<uint32_t> frame_correlation_ids(const std::string& bytes) {
  std::vector<uint32_t> ids;
  ByteView rest(bytes.data(), bytes.size());
  while (!rest.empty()) {
    const auto parsed = protocol::parse_frame(rest, protocol::frame_format::kDefaultMaxFrameBytes);
    INFO("frame " << ids.size() << ": " << parsed.error);
    REQUIRE(parsed.status == protocol::ParseStatus::complete);
    const uint32_t id = parsed.frame.header.correlation_id;
    // The frame must be exactly the one make_frame() built for its id: nothing lost or spliced inside it.
    const std::string expected = make_frame(id);
    REQUIRE(std::string(rest.data(), parsed.frame.header.total_bytes()) == expected);
    ids.push_back(id);
    rest = rest.subspan(parsed.frame.header.total_bytes());
  }
  return ids;
}

}  // namespace millrace::faultproxy::testing
