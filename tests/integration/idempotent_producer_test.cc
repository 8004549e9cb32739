// The idempotent producer against a real broker behind millrace-faultproxy: produce responses are lost, the
// producer retries, and the log still holds every record exactly once, in order — also when the broker was
// killed and restarted between the lost response and the retry. The same faults without idempotence
// duplicate records, which shows these tests can see the difference. And a batch that grew while responses
// were slow, refused as larger than the topic allows, is split and lands whole and in order.
#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <map>
#include <vector>

#include "broker_process.h"
#include "fault_proxy.h"
#include "millrace/client/admin.h"
#include "millrace/client/consumer.h"
#include "millrace/client/producer.h"
#include "temp_dir.h"
#include "wait_until.h"

using namespace millrace;
using namespace millrace::client;
using namespace millrace::testing;
using namespace std::chrono_literals;
using millrace::faultproxy::Direction;
using millrace::faultproxy::DirectionSet;

namespace {

// A broker that tells clients to use the proxy in front of it, so every client connection goes through it.
struct ProxiedBroker {
  TempDir dir;
  uint16_t proxy_port = pick_free_port();
  BrokerProcess broker{dir.path() / "data", {"--advertise", "127.0.0.1:" + std::to_string(proxy_port)}};
  std::unique_ptr<faultproxy::FaultProxy> proxy;

  ProxiedBroker() {
    broker.start();
    faultproxy::FaultProxyOptions options;
    options.listen_port = proxy_port;
    options.target_port = broker.port();
    proxy = std::make_unique<faultproxy::FaultProxy>(options);
    auto started = proxy->start();
    INFO((started.ok() ? std::string() : started.error().to_string()));
    REQUIRE(started.ok());
  }

  ConnectionConfig connection() const {
    ConnectionConfig c;
    c.bootstrap = "127.0.0.1:" + std::to_string(proxy_port);
    c.request_timeout_ms = 1000;  // a lost response is noticed quickly
    c.reconnect_backoff_ms = 20;
    return c;
  }

  void create_topic(const std::string& name, std::map<std::string, std::string> configs = {}) {
    auto admin = Admin::create(connection());
    REQUIRE(admin.ok());
    REQUIRE((*admin)->create_topic(NewTopic{name, 1, 0, std::move(configs)}).ok());
  }

  std::unique_ptr<Producer> producer(bool idempotent) {
    ProducerConfig config;
    config.connection = connection();
    config.enable_idempotence = idempotent;
    config.acks = idempotent ? Acks::all : Acks::leader;
    config.linger_ms = 0;
    config.batch_bytes = 256;  // many small batches: several in flight at once
    config.retry_backoff_ms = 20;
    config.delivery_timeout_ms = 30000;
    auto producer = Producer::create(config);
    REQUIRE(producer.ok());
    return std::move(*producer);
  }

  // Every value of the one-partition topic, in offset order.
  std::vector<std::string> read_all(const std::string& topic, size_t at_least) {
    ConsumerConfig config;
    config.connection = connection();
    config.auto_offset_reset = OffsetReset::earliest;
    auto consumer = Consumer::create(config);
    REQUIRE(consumer.ok());
    REQUIRE((*consumer)->assign_topic(topic).ok());
    REQUIRE((*consumer)->seek_to_beginning().ok());
    std::vector<std::string> values;
    const auto end = std::chrono::steady_clock::now() + 20s;
    int64_t next_offset = 0;
    while (std::chrono::steady_clock::now() < end) {
      auto batch = (*consumer)->poll(200ms);
      REQUIRE(batch.ok());
      for (auto& r : *batch) {
        CHECK(r.offset.value == next_offset++);
        values.push_back(r.value.value_or("<null>"));
      }
      if (values.size() >= at_least && batch->empty()) break;
    }
    return values;
  }

  int64_t log_end(const std::string& topic) {
    auto admin = Admin::create(connection());
    REQUIRE(admin.ok());
    auto ends = (*admin)->list_offsets(topic, OffsetSpec::latest);
    REQUIRE(ends.ok());
    REQUIRE(ends->size() == 1);
    return ends->begin()->second.value;
  }
};

std::string value_of(int i) {
  return "record-" + std::to_string(i);
}

// Sends `count` records to partition 0 of `topic`, lets the proxy lose the first `lost` produce responses
// after a warm-up record, and waits for every delivery. Returns how many deliveries failed.
size_t produce_losing_responses(ProxiedBroker& env, Producer& producer, const std::string& topic, int count,
                                uint64_t lost) {
  // Warm up: metadata, the producer id and the connection exist, so the drops hit produce responses.
  auto first =
      producer.send(ProducerRecord{topic, PartitionId{0}, std::nullopt, value_of(0), {}, std::nullopt});
  REQUIRE(first.get().ok());
  env.proxy->drop_frames(DirectionSet::only(Direction::down), lost);
  std::atomic<size_t> failed{0};
  for (int i = 1; i < count; ++i) {
    ProducerRecord record{topic, PartitionId{0}, std::nullopt, value_of(i), {}, std::nullopt};
    REQUIRE(producer
                .send(std::move(record),
                      [&failed](const DeliveryReport& r) {
                        if (!r.ok()) ++failed;
                      })
                .ok());
  }
  producer.flush();
  CHECK(env.proxy->stats().of(Direction::down).dropped_frames == lost);
  return failed;
}

}  // namespace

TEST_CASE("lost produce responses are retried and every record is in the log exactly once, in order") {
  ProxiedBroker env;
  env.create_topic("exactly-once");
  auto producer = env.producer(true);
  constexpr int kRecords = 400;
  CHECK(produce_losing_responses(env, *producer, "exactly-once", kRecords, 3) == 0);
  CHECK(env.log_end("exactly-once") == kRecords);
  const auto values = env.read_all("exactly-once", kRecords);
  REQUIRE(values.size() == kRecords);
  for (int i = 0; i < kRecords; ++i) CHECK(values[static_cast<size_t>(i)] == value_of(i));
}

TEST_CASE("without idempotence the same lost responses duplicate records") {
  ProxiedBroker env;
  env.create_topic("at-least-once");
  auto producer = env.producer(false);
  constexpr int kRecords = 400;
  CHECK(produce_losing_responses(env, *producer, "at-least-once", kRecords, 3) == 0);
  CHECK(env.log_end("at-least-once") > kRecords);
}

TEST_CASE("a retry after the broker restarted is still recognised as a duplicate") {
  ProxiedBroker env;
  env.create_topic("restart");
  auto producer = env.producer(true);
  REQUIRE(producer->send(ProducerRecord{"restart", PartitionId{0}, std::nullopt, "before", {}, std::nullopt})
              .get()
              .ok());
  // The next response is lost: the batch is in the log (acks=all: on disk) but the producer does not know.
  env.proxy->drop_frames(DirectionSet::only(Direction::down), 1);
  auto lost =
      producer->send(ProducerRecord{"restart", PartitionId{0}, std::nullopt, "lost", {}, std::nullopt});
  REQUIRE(wait_until([&] { return env.proxy->stats().of(Direction::down).dropped_frames == 1; }, 10s));
  const bool crash = GENERATE(true, false);  // kill -9: rebuilt from the log; clean stop: from a snapshot
  if (crash) {
    env.broker.kill9();
  } else {
    REQUIRE(env.broker.stop() == 0);
  }
  env.broker.start();
  const DeliveryReport report = lost.get();  // retried against the restarted broker
  INFO((report.ok() ? std::string() : report.error->to_string()));
  REQUIRE(report.ok());
  CHECK(report.offset == Offset{1});  // the original offset
  REQUIRE(producer->send(ProducerRecord{"restart", PartitionId{0}, std::nullopt, "after", {}, std::nullopt})
              .get()
              .ok());
  CHECK(env.log_end("restart") == 3);
  CHECK(env.read_all("restart", 3) == std::vector<std::string>{"before", "lost", "after"});
}

TEST_CASE("a batch grown behind slow responses and refused as too large is split and lands in order") {
  ProxiedBroker env;
  env.create_topic("small-batches", {{"max.message.bytes", "8192"}});
  auto producer = env.producer(true);  // batch_bytes 256, backlog_batch_bytes the default 256 KiB
  REQUIRE(producer->send(ProducerRecord{"small-batches", PartitionId{0}, std::nullopt, value_of(0), {}, {}})
              .get()
              .ok());
  // Slow responses: five batches fly, and the records behind them gather in one batch far over 8 KiB.
  env.proxy->delay(DirectionSet::only(Direction::down), 300ms);
  constexpr int kRecords = 2000;
  std::vector<std::future<DeliveryReport>> reports;
  for (int i = 1; i < kRecords; ++i)
    reports.push_back(producer->send(
        ProducerRecord{"small-batches", PartitionId{0}, std::nullopt, value_of(i), {}, std::nullopt}));
  env.proxy->pass();
  for (size_t i = 0; i < reports.size(); ++i) {
    const DeliveryReport report = reports[i].get();
    INFO(i << ": " << (report.ok() ? std::string() : report.error->to_string()));
    REQUIRE(report.ok());
    CHECK(report.offset == Offset{static_cast<int64_t>(i) + 1});
  }
  CHECK(env.log_end("small-batches") == kRecords);
  const auto values = env.read_all("small-batches", kRecords);
  REQUIRE(values.size() == kRecords);
  for (int i = 0; i < kRecords; ++i) CHECK(values[static_cast<size_t>(i)] == value_of(i));
}
