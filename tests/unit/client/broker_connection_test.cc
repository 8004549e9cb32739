// A connection reads a large response frame in pieces of up to a megabyte (the socket's low-water mark) and
// then reads small frames again: the mark follows what is left of the frame and drops back after it. Spent
// buffers of large frames are kept for the next ones, however large a frame the connection accepts.
#include <catch2/catch.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fake_broker.h"
#include "millrace/client/errc.h"
#include "network_client.h"

using namespace millrace;
using namespace millrace::client;
using namespace millrace::client::internal;
using millrace::testing::FakeBroker;

namespace {

// A fake broker that answers every list_topics request with the bytes payload() gives it then, and a
// NetworkClient connected to it.
class FramesServed {
 public:
  explicit FramesServed(std::function<const std::string&()> payload, int32_t request_timeout_ms = 30000)
      : payload_(std::move(payload)), broker_([this](const FakeBroker::Request& r) -> std::optional<Buffer> {
          if (r.api_key == protocol::ApiKey::metadata) return FakeBroker::respond(r, broker_.metadata({}));
          if (r.api_key != protocol::ApiKey::list_topics) return std::nullopt;
          const std::string& bytes = payload_();
          return FakeBroker::respond(r, wire::ListTopicsResponse{}, ByteView(bytes.data(), bytes.size()));
        }) {
    ConnectionConfig config;
    config.bootstrap = broker_.bootstrap();
    config.request_timeout_ms = request_timeout_ms;
    auto network = NetworkClient::create(config, "test-io");
    REQUIRE(network.ok());
    network_ = std::move(*network);
  }

  Result<ResponseFrame> call() {
    return network_->call(std::nullopt, protocol::ApiKey::list_topics, wire::ListTopicsRequest{});
  }

 private:
  std::function<const std::string&()> payload_;
  FakeBroker broker_;
  std::unique_ptr<NetworkClient> network_;
};

// Reads one frame of `big`, drops it, and checks that the next one is read into the same, kept buffer.
void check_next_frame_reuses_buffer(const std::string& big) {
  FramesServed served([&]() -> const std::string& { return big; });
  auto first = served.call();
  REQUIRE(first.ok());
  REQUIRE(first->payload().size() == big.size());
  REQUIRE(first->spares != nullptr);
  // A new buffer has room to spare for a somewhat larger frame next time.
  CHECK(first->bytes.capacity() >= first->bytes.size() + first->bytes.size() / 8);
  const auto spares = first->spares;
  const char* memory = first->bytes.data();
  first = make_error(errc::closed, "dropped");
  CHECK(spares->kept() == 1);
  auto second = served.call();
  REQUIRE(second.ok());
  CHECK(second->bytes.data() == memory);
  CHECK(spares->kept() == 0);
  CHECK(std::string(second->payload().data(), second->payload().size()) == big);
}

}  // namespace

TEST_CASE("large frames of any length arrive whole and the small frames after them are not held back") {
  // Lengths around the 1 MiB mark: below it, just above it, and several marks plus an odd remainder.
  const std::vector<size_t> sizes{700 * 1024, (1 << 20) + 1, 3 * (1 << 20) + 12345, 100};
  size_t next = 0;
  std::string payload;
  // A read waiting for bytes that never come fails the test in 5 s.
  FramesServed served(
      [&]() -> const std::string& {
        payload.clear();
        for (size_t i = 0; i < sizes[next % sizes.size()]; ++i)
          payload.push_back(static_cast<char>('a' + (i * 7) % 26));
        ++next;
        return payload;
      },
      5000);
  for (int round = 0; round < 2; ++round) {
    for (size_t size : sizes) {
      auto response = served.call();
      REQUIRE(response.ok());
      REQUIRE(response->payload().size() == size);
      CHECK(std::string(response->payload().data(), response->payload().size()) == payload);
    }
  }
}

TEST_CASE("a connection reads its next large frame into the buffer of a dropped one") {
  check_next_frame_reuses_buffer(std::string(300 * 1024, 'b'));  // far beyond the 64 KiB receive buffer
}

TEST_CASE("a connection keeps a spent frame of tens of megabytes and reads the next one into it") {
  // A consumer of 32 partitions with backlog gets responses of 32 MiB (1 MiB per partition by default).
  check_next_frame_reuses_buffer(std::string(24 * 1024 * 1024, 'z'));
}
