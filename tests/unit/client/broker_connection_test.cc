// A connection reads a large response frame in pieces of up to a megabyte (the socket's low-water mark) and
// then reads small frames again: the mark follows what is left of the frame and drops back after it. Spent
// buffers of large frames are kept for the next ones, however large a frame the connection accepts.
#include <catch2/catch.hpp>
#include <string>

#include "fake_broker.h"
#include "millrace/client/errc.h"
#include "network_client.h"

using namespace millrace;
using namespace millrace::client;
using namespace millrace::client::internal;
using millrace::testing::FakeBroker;

TEST_CASE("large frames of any length arrive whole and the small frames after them are not held back") {
  // Lengths around the 1 MiB mark: below it, just above it, and several marks plus an odd remainder.
  const std::vector<size_t> sizes{700 * 1024, (1 << 20) + 1, 3 * (1 << 20) + 12345, 100};
  size_t next = 0;
  std::string payload;
  FakeBroker* self = nullptr;
  FakeBroker broker([&](const FakeBroker::Request& r) -> std::optional<Buffer> {
    if (r.api_key == protocol::ApiKey::metadata) return FakeBroker::respond(r, self->metadata({}));
    if (r.api_key != protocol::ApiKey::list_topics) return std::nullopt;
    payload.clear();
    for (size_t i = 0; i < sizes[next % sizes.size()]; ++i)
      payload.push_back(static_cast<char>('a' + (i * 7) % 26));
    ++next;
    return FakeBroker::respond(r, wire::ListTopicsResponse{}, ByteView(payload.data(), payload.size()));
  });
  self = &broker;
  ConnectionConfig config;
  config.bootstrap = broker.bootstrap();
  config.request_timeout_ms = 5000;  // a read waiting for bytes that never come fails the test in 5 s
  auto network = NetworkClient::create(config);
  REQUIRE(network.ok());
  wire::ListTopicsRequest request;
  for (int round = 0; round < 2; ++round) {
    for (size_t size : sizes) {
      auto response = (*network)->call(std::nullopt, protocol::ApiKey::list_topics, request);
      REQUIRE(response.ok());
      REQUIRE(response->payload().size() == size);
      CHECK(std::string(response->payload().data(), response->payload().size()) == payload);
    }
  }
}

TEST_CASE("a connection keeps a spent frame of tens of megabytes and reads the next one into it") {
  // A consumer of 32 partitions with backlog gets responses of 32 MiB (1 MiB per partition by default).
  const std::string big(24 * 1024 * 1024, 'z');
  FakeBroker* self = nullptr;
  FakeBroker broker([&](const FakeBroker::Request& r) -> std::optional<Buffer> {
    if (r.api_key == protocol::ApiKey::metadata) return FakeBroker::respond(r, self->metadata({}));
    if (r.api_key != protocol::ApiKey::list_topics) return std::nullopt;
    return FakeBroker::respond(r, wire::ListTopicsResponse{}, ByteView(big.data(), big.size()));
  });
  self = &broker;
  ConnectionConfig config;
  config.bootstrap = broker.bootstrap();
  auto network = NetworkClient::create(config);
  REQUIRE(network.ok());
  wire::ListTopicsRequest request;
  auto first = (*network)->call(std::nullopt, protocol::ApiKey::list_topics, request);
  REQUIRE(first.ok());
  REQUIRE(first->spares != nullptr);
  const auto spares = first->spares;
  const char* memory = first->bytes.data();
  first = make_error(errc::closed, "dropped");
  CHECK(spares->kept() == 1);
  auto second = (*network)->call(std::nullopt, protocol::ApiKey::list_topics, request);
  REQUIRE(second.ok());
  CHECK(second->bytes.data() == memory);
  CHECK(second->payload().size() == big.size());
}
