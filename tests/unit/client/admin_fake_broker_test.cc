// Admin and the connection layer against a scripted broker: request timeouts, error frames, per-topic errors,
// an unreachable broker.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>

#include "fake_broker.h"
#include "millrace/client/admin.h"
#include "millrace/client/errc.h"
#include "millrace/protocol/errc.h"

using namespace millrace;
using namespace millrace::client;
using millrace::testing::FakeBroker;
using namespace std::chrono_literals;

TEST_CASE("a request without a response fails with REQUEST_TIMED_OUT after request_timeout_ms") {
  FakeBroker broker([](const FakeBroker::Request&) -> std::optional<Buffer> { return std::nullopt; });
  ConnectionConfig config;
  config.bootstrap = broker.bootstrap();
  config.request_timeout_ms = 300;
  auto admin = Admin::create(config);
  REQUIRE(admin.ok());
  const auto start = std::chrono::steady_clock::now();
  auto topics = (*admin)->list_topics();
  const auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(topics.ok());
  CHECK(topics.error().code == protocol::errc::request_timed_out);
  CHECK(elapsed >= 300ms);
  CHECK(elapsed < 3s);
}

TEST_CASE("an ApiKey::error frame becomes the broker's error") {
  FakeBroker broker([](const FakeBroker::Request& r) -> std::optional<Buffer> {
    wire::ErrorResponse error;
    error.set_error_code(42);
    error.set_error_message("cannot parse the request body");
    Buffer out;
    protocol::append_frame(out, protocol::ApiKey::error, r.correlation_id, error);
    return out;
  });
  ConnectionConfig config;
  config.bootstrap = broker.bootstrap();
  auto admin = Admin::create(config);
  REQUIRE(admin.ok());
  auto described = (*admin)->describe_topic("x");
  REQUIRE_FALSE(described.ok());
  CHECK(described.error().code == protocol::errc::invalid_request);
  CHECK(described.error().message.find("cannot parse the request body") != std::string::npos);
}

TEST_CASE("per-topic errors carry the Kafka code and the broker's message") {
  FakeBroker broker([](const FakeBroker::Request& r) -> std::optional<Buffer> {
    if (r.api_key != protocol::ApiKey::create_topics) return std::nullopt;
    const auto request = r.parse<wire::CreateTopicsRequest>();
    wire::CreateTopicsResponse response;
    auto* result = response.add_results();
    result->set_name(request.topics(0).name());
    result->set_error_code(36);
    result->set_error_message("topic 'dup' already exists");
    return FakeBroker::respond(r, response);
  });
  ConnectionConfig config;
  config.bootstrap = broker.bootstrap();
  auto admin = Admin::create(config);
  REQUIRE(admin.ok());
  auto st = (*admin)->create_topic("dup", 3, {{"segment.bytes", "1048576"}});
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == protocol::errc::topic_already_exists);
  CHECK(st.error().to_string() == "TOPIC_ALREADY_EXISTS: topic already exists (topic 'dup' already exists)");
}

TEST_CASE("pipelined requests on one connection each get their own response") {
  FakeBroker broker([](const FakeBroker::Request& r) -> std::optional<Buffer> {
    wire::ListTopicsResponse response;
    auto* t = response.add_topics();
    t->set_name("topic-" + std::to_string(r.correlation_id));
    t->set_partitions(static_cast<int32_t>(r.correlation_id));
    return FakeBroker::respond(r, response);
  });
  ConnectionConfig config;
  config.bootstrap = broker.bootstrap();
  auto admin = Admin::create(config);
  REQUIRE(admin.ok());
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int k = 0; k < 25; ++k) {
        auto topics = (*admin)->list_topics();
        if (topics.ok() && topics->size() == 1 &&
            topics->front().name == "topic-" + std::to_string(topics->front().partitions)) {
          ++ok;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok == 200);
}

TEST_CASE("an unreachable broker fails fast with NETWORK_EXCEPTION") {
  uint16_t closed_port;
  {
    FakeBroker gone([](const FakeBroker::Request&) -> std::optional<Buffer> { return std::nullopt; });
    closed_port = gone.port();
  }
  ConnectionConfig config;
  config.bootstrap = "127.0.0.1:" + std::to_string(closed_port);
  auto admin = Admin::create(config);
  REQUIRE(admin.ok());
  auto info = (*admin)->cluster_info();
  REQUIRE_FALSE(info.ok());
  CHECK(info.error().code == protocol::errc::network_exception);
  CHECK(info.error().message.find(config.bootstrap) != std::string::npos);
}

TEST_CASE("an invalid bootstrap is refused when the client is created") {
  ConnectionConfig config;
  config.bootstrap = "host:99999";
  auto admin = Admin::create(config);
  REQUIRE_FALSE(admin.ok());
  CHECK(admin.error().code == errc::invalid_config);
}

namespace {
// A loopback port nothing listens on: bound, then closed.
uint16_t closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  socklen_t len = sizeof(addr);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}
}  // namespace

TEST_CASE("an unreachable first bootstrap broker does not fail calls or metadata") {
  std::atomic<int> metadata_requests{0};
  FakeBroker broker([&](const FakeBroker::Request& r) -> std::optional<Buffer> {
    if (r.api_key == protocol::ApiKey::metadata) {
      ++metadata_requests;
      return FakeBroker::respond(r, broker.metadata({{"t", 2}}));
    }
    wire::ListTopicsResponse response;
    response.add_topics()->set_name("t");
    return FakeBroker::respond(r, response);
  });
  ConnectionConfig config;
  config.bootstrap = "127.0.0.1:" + std::to_string(closed_port()) + "," + broker.bootstrap();
  auto admin = Admin::create(config);
  REQUIRE(admin.ok());
  auto topics = (*admin)->list_topics();  // a blocking call to any broker
  REQUIRE(topics.ok());
  CHECK(topics->front().name == "t");
  (void)(*admin)->list_offsets("t", OffsetSpec::latest);  // starts with a metadata round (async path)
  CHECK(metadata_requests >= 1);
}
