// Producer against a scripted broker: retries keep order, acks=0 waits for nothing, unknown topics fail fast,
// a full buffer fails after max_block_ms, close() fails what cannot be delivered.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "delivery_checks.h"
#include "fake_broker.h"
#include "millrace/client/errc.h"
#include "millrace/client/producer.h"
#include "millrace/protocol/errc.h"
#include "millrace/protocol/record_batch_decoder.h"

using namespace millrace;
using namespace millrace::client;
using millrace::testing::FakeBroker;
using namespace std::chrono_literals;

namespace {

ProducerConfig config_for(const FakeBroker& broker) {
  ProducerConfig config;
  config.connection.bootstrap = broker.bootstrap();
  config.linger_ms = 0;
  config.retry_backoff_ms = 10;
  config.enable_idempotence = false;  // these tests script the plain producer; see producer_idempotence_test
  return config;
}

ProducerRecord record(std::string topic, int32_t partition, std::string value) {
  ProducerRecord r;
  r.topic = std::move(topic);
  r.partition = PartitionId{partition};
  r.value = std::move(value);
  return r;
}

// A one-partition log kept by the fake broker.
struct FakeLog {
  std::mutex mutex;
  std::vector<std::string> values;         // of the records appended (a null value as "")
  std::vector<protocol::Record> appended;  // the records appended, whole
  int produce_requests = 0;
  int metadata_requests = 0;
  bool bad_request = false;  // Catch macros are not thread-safe: handlers set this, the test checks it

  // An error code and message to answer a produce entry with instead of appending it.
  using Refusal = std::optional<std::pair<int16_t, std::string>>;

  // Answers a produce request entry by entry: decodes the entry's records (bad_request if they do not
  // decode), then either refuses it with `refuse(entry, records)`'s error or appends its values and answers
  // with its base offset. Call with `mutex` held.
  template <class Refuse>
  Buffer answer_produce(const FakeBroker::Request& r, Refuse refuse) {
    const auto request = r.parse<wire::ProduceRequest>();
    wire::ProduceResponse response;
    size_t pos = 0;
    for (const auto& p : request.partitions()) {
      auto* result = response.add_results();
      result->set_topic(p.topic());
      result->set_partition(p.partition());
      std::vector<protocol::Record> records;
      if (!protocol::decode_records(r.payload.subspan(pos, p.records_bytes()), 0, records).ok())
        bad_request = true;
      pos += p.records_bytes();
      if (Refusal refusal = refuse(p, records)) {
        result->set_error_code(refusal->first);
        result->set_error_message(refusal->second);
        continue;
      }
      result->set_base_offset(static_cast<int64_t>(values.size()));
      for (auto& rec : records) {
        values.push_back(rec.value.value_or(""));
        appended.push_back(std::move(rec));
      }
    }
    return FakeBroker::respond(r, response);
  }
};

}  // namespace

TEST_CASE("a NOT_LEADER_OR_FOLLOWER answer is retried after a metadata refresh, keeping order and offsets") {
  FakeLog log;
  FakeBroker* self = nullptr;
  FakeBroker broker([&](const FakeBroker::Request& r) -> std::optional<Buffer> {
    std::lock_guard lock(log.mutex);
    if (r.api_key == protocol::ApiKey::metadata) {
      ++log.metadata_requests;
      return FakeBroker::respond(r, self->metadata({{"t", 1}}));
    }
    if (r.api_key != protocol::ApiKey::produce) return std::nullopt;
    return log.answer_produce(r, [&](const auto&, const auto&) -> FakeLog::Refusal {
      if (++log.produce_requests == 1) return {{6, "leadership moved"}};  // NOT_LEADER_OR_FOLLOWER
      return std::nullopt;
    });
  });
  self = &broker;

  auto producer = Producer::create(config_for(broker));
  REQUIRE(producer.ok());
  std::vector<std::future<DeliveryReport>> reports;
  for (int i = 0; i < 20; ++i) reports.push_back((*producer)->send(record("t", 0, std::to_string(i))));
  for (int i = 0; i < 20; ++i) {
    const auto report = reports[static_cast<size_t>(i)].get();
    INFO(i << ": " << (report.error ? report.error->to_string() : "ok"));
    REQUIRE(report.ok());
    CHECK(report.topic == "t");
    CHECK(report.partition == PartitionId{0});
    CHECK(report.offset == Offset{i});
  }
  (*producer)->close();
  std::lock_guard lock(log.mutex);
  CHECK_FALSE(log.bad_request);
  REQUIRE(log.values.size() == 20);
  for (int i = 0; i < 20; ++i) CHECK(log.values[static_cast<size_t>(i)] == std::to_string(i));
  CHECK(log.metadata_requests >= 2);  // the error triggered a refresh
  CHECK(log.produce_requests >= 2);
}

TEST_CASE(
    "several batches of a partition share one request, keep their order through retries, get consecutive "
    "offsets") {
  FakeLog log;
  std::atomic<bool> all_sent{false};
  int most_records_in_one_entry = 0;
  FakeBroker* self = nullptr;
  FakeBroker broker([&](const FakeBroker::Request& r) -> std::optional<Buffer> {
    std::lock_guard lock(log.mutex);
    if (r.api_key == protocol::ApiKey::metadata) return FakeBroker::respond(r, self->metadata({{"t", 1}}));
    if (r.api_key != protocol::ApiKey::produce) return std::nullopt;
    const int request_number = ++log.produce_requests;
    // Hold the first request until every record is queued behind it, so the next requests carry many
    // batches of the partition; fail the first two requests whole (a retriable error).
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (request_number == 1 && !all_sent.load() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(1ms);
    return log.answer_produce(r, [&](const auto&, const auto& records) -> FakeLog::Refusal {
      most_records_in_one_entry = std::max(most_records_in_one_entry, static_cast<int>(records.size()));
      if (request_number <= 2) return {{6, "leadership moved"}};  // NOT_LEADER_OR_FOLLOWER
      return std::nullopt;
    });
  });
  self = &broker;

  ProducerConfig config = config_for(broker);
  config.batch_bytes = 64;  // one record per batch
  auto producer = Producer::create(config);
  REQUIRE(producer.ok());
  constexpr int kRecords = 30;
  std::vector<std::future<DeliveryReport>> reports;
  for (int i = 0; i < kRecords; ++i) reports.push_back((*producer)->send(record("t", 0, std::to_string(i))));
  all_sent.store(true);
  millrace::testing::require_delivered_at_offsets_from_zero(reports);
  (*producer)->close();
  std::lock_guard lock(log.mutex);
  CHECK_FALSE(log.bad_request);
  CHECK(most_records_in_one_entry > 1);  // several one-record batches in one partition entry
  REQUIRE(log.values.size() == kRecords);
  for (int i = 0; i < kRecords; ++i) CHECK(log.values[static_cast<size_t>(i)] == std::to_string(i));
}

TEST_CASE("send_view copies the caller's bytes during the call: what arrives is what they were then") {
  FakeLog log;
  FakeBroker* self = nullptr;
  FakeBroker broker([&](const FakeBroker::Request& r) -> std::optional<Buffer> {
    std::lock_guard lock(log.mutex);
    if (r.api_key == protocol::ApiKey::metadata) return FakeBroker::respond(r, self->metadata({{"t", 4}}));
    if (r.api_key != protocol::ApiKey::produce) return std::nullopt;
    return log.answer_produce(r, [](const auto&, const auto&) -> FakeLog::Refusal { return std::nullopt; });
  });
  self = &broker;
  auto config = config_for(broker);
  config.linger_ms = 50;  // the records wait in their batch while the caller's buffers change
  auto producer = Producer::create(config);
  REQUIRE(producer.ok());

  std::string topic = "t";
  std::string key = "key-0";
  std::string value = "value-0";
  std::string header_value = "hv-0";
  std::atomic<int> delivered{0};
  std::atomic<int> failed{0};
  for (int i = 0; i < 3; ++i) {
    const std::vector<protocol::HeaderView> headers = {{"h", header_value}, {"null", std::nullopt}};
    ProducerRecordView record;
    record.topic = topic;
    record.partition = PartitionId{2};
    record.key = key;
    if (i != 1) record.value = value;  // record 1: a tombstone
    record.headers = headers;
    record.timestamp_ms = 1000 + i;
    REQUIRE(
        (*producer)
            ->send_view(record, [&](const DeliveryReport& report) { ++(report.ok() ? delivered : failed); })
            .ok());
    // Overwrite every byte the record viewed; the producer must have copied them already.
    for (std::string* s : {&topic, &key, &value, &header_value}) std::fill(s->begin(), s->end(), 'X');
    topic = "t";
    key = "key-" + std::to_string(i + 1);
    value = "value-" + std::to_string(i + 1);
    header_value = "hv-" + std::to_string(i + 1);
  }
  (*producer)->flush();
  CHECK(delivered == 3);
  CHECK(failed == 0);
  (*producer)->close();
  std::lock_guard lock(log.mutex);
  CHECK_FALSE(log.bad_request);
  REQUIRE(log.appended.size() == 3);
  for (int i = 0; i < 3; ++i) {
    const protocol::Record& r = log.appended[static_cast<size_t>(i)];
    INFO("record " << i);
    CHECK(r.key == "key-" + std::to_string(i));
    if (i == 1) {
      CHECK_FALSE(r.value.has_value());
    } else {
      CHECK(r.value == "value-" + std::to_string(i));
    }
    CHECK(r.timestamp_ms == 1000 + i);
    REQUIRE(r.headers.size() == 2);
    CHECK(r.headers[0].key == "h");
    CHECK(r.headers[0].value == "hv-" + std::to_string(i));
    CHECK(r.headers[1].key == "null");
    CHECK_FALSE(r.headers[1].value.has_value());
  }
}

TEST_CASE("with acks=0 nothing waits for a response and offsets are -1") {
  FakeLog log;
  FakeBroker* self = nullptr;
  FakeBroker broker([&](const FakeBroker::Request& r) -> std::optional<Buffer> {
    std::lock_guard lock(log.mutex);
    if (r.api_key == protocol::ApiKey::metadata) return FakeBroker::respond(r, self->metadata({{"t", 2}}));
    if (r.api_key == protocol::ApiKey::produce) {
      const auto request = r.parse<wire::ProduceRequest>();
      std::vector<protocol::Record> records;
      if (request.acks() != 0 || !protocol::decode_records(r.payload, 0, records).ok())
        log.bad_request = true;
      for (const auto& rec : records) log.values.push_back(*rec.value);
    }
    return std::nullopt;  // never answers produce, as a broker does for acks=0
  });
  self = &broker;
  auto config = config_for(broker);
  config.acks = Acks::none;
  config.connection.request_timeout_ms = 60000;  // a wait for a response would show as a hang
  auto producer = Producer::create(config);
  REQUIRE(producer.ok());
  std::vector<std::future<DeliveryReport>> reports;
  for (int i = 0; i < 10; ++i) reports.push_back((*producer)->send(record("t", i % 2, std::to_string(i))));
  for (auto& f : reports) {
    REQUIRE(f.wait_for(5s) == std::future_status::ready);
    const auto report = f.get();
    REQUIRE(report.ok());
    CHECK(report.offset == Offset{-1});
  }
  (*producer)->close();
  for (int wait = 0; wait < 200; ++wait) {
    {
      std::lock_guard lock(log.mutex);
      if (log.values.size() == 10) break;
    }
    std::this_thread::sleep_for(10ms);
  }
  std::lock_guard lock(log.mutex);
  CHECK_FALSE(log.bad_request);
  CHECK(log.values.size() == 10);
}

TEST_CASE("send() to a topic the broker does not know fails at once") {
  FakeBroker* self = nullptr;
  FakeBroker broker([&](const FakeBroker::Request& r) -> std::optional<Buffer> {
    if (r.api_key == protocol::ApiKey::metadata)
      return FakeBroker::respond(r, self->metadata({{"missing", -1}}));
    return std::nullopt;
  });
  self = &broker;
  auto config = config_for(broker);
  config.max_block_ms = 10000;
  auto producer = Producer::create(config);
  REQUIRE(producer.ok());
  const auto start = std::chrono::steady_clock::now();
  std::atomic<int> callbacks{0};
  auto st = (*producer)->send(record("missing", 0, "x"), [&](const DeliveryReport&) { ++callbacks; });
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == protocol::errc::unknown_topic_or_partition);
  CHECK(std::chrono::steady_clock::now() - start < 5s);
  auto as_future = (*producer)->send(record("missing", 0, "x"));
  CHECK_FALSE(as_future.get().ok());
  (*producer)->close();
  CHECK(callbacks == 0);  // a refused send() never calls back
}

TEST_CASE("an explicit partition beyond the topic's partitions is refused") {
  FakeBroker* self = nullptr;
  FakeBroker broker([&](const FakeBroker::Request& r) -> std::optional<Buffer> {
    if (r.api_key == protocol::ApiKey::metadata) return FakeBroker::respond(r, self->metadata({{"t", 2}}));
    return std::nullopt;
  });
  self = &broker;
  auto producer = Producer::create(config_for(broker));
  REQUIRE(producer.ok());
  auto st = (*producer)->send(record("t", 2, "x"), {});
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == protocol::errc::unknown_topic_or_partition);
}

TEST_CASE("a full buffer blocks send() for max_block_ms then fails, and close() fails what is undelivered") {
  FakeBroker* self = nullptr;
  FakeBroker broker([&](const FakeBroker::Request& r) -> std::optional<Buffer> {
    if (r.api_key == protocol::ApiKey::metadata) return FakeBroker::respond(r, self->metadata({{"t", 1}}));
    return std::nullopt;  // produce requests are never answered
  });
  self = &broker;
  auto config = config_for(broker);
  config.acks = Acks::leader;
  config.batch_bytes = 300;
  config.buffer_memory_bytes = 300;
  config.max_block_ms = 200;
  auto producer = Producer::create(config);
  REQUIRE(producer.ok());
  std::promise<DeliveryReport> first;
  REQUIRE(
      (*producer)
          ->send(record("t", 0, std::string(200, 'a')), [&](const DeliveryReport& d) { first.set_value(d); })
          .ok());
  const auto start = std::chrono::steady_clock::now();
  auto st = (*producer)->send(record("t", 0, std::string(200, 'b')), {});
  const auto blocked = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == errc::buffer_exhausted);
  CHECK(blocked >= 190ms);
  CHECK(blocked < 5s);
  (*producer)->close(100ms);
  auto future = first.get_future();
  REQUIRE(future.wait_for(5s) == std::future_status::ready);
  const auto report = future.get();
  REQUIRE_FALSE(report.ok());
  CHECK(report.error->code == errc::closed);
  auto after = (*producer)->send(record("t", 0, "late"), {});
  REQUIRE_FALSE(after.ok());
  CHECK(after.error().code == errc::closed);
}

TEST_CASE("a record larger than max_request_bytes is refused with MESSAGE_TOO_LARGE") {
  FakeBroker* self = nullptr;
  FakeBroker broker([&](const FakeBroker::Request& r) -> std::optional<Buffer> {
    if (r.api_key == protocol::ApiKey::metadata) return FakeBroker::respond(r, self->metadata({{"t", 1}}));
    return std::nullopt;
  });
  self = &broker;
  auto config = config_for(broker);
  config.max_request_bytes = 1000;
  auto producer = Producer::create(config);
  REQUIRE(producer.ok());
  auto st = (*producer)->send(record("t", 0, std::string(2000, 'x')), {});
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == protocol::errc::message_too_large);
}

TEST_CASE("a batch refused as too large is retried record by record: only the large record fails") {
  FakeLog log;
  FakeBroker* self = nullptr;
  FakeBroker broker([&](const FakeBroker::Request& r) -> std::optional<Buffer> {
    std::lock_guard lock(log.mutex);
    if (r.api_key == protocol::ApiKey::metadata) return FakeBroker::respond(r, self->metadata({{"t", 1}}));
    if (r.api_key != protocol::ApiKey::produce) return std::nullopt;
    return log.answer_produce(r, [](const auto& p, const auto&) -> FakeLog::Refusal {
      if (p.records_bytes() <= 500) return std::nullopt;  // the broker's limit for a whole batch
      return {{10, "record batch of " + std::to_string(p.records_bytes()) + " bytes exceeds 500"}};
    });
  });
  self = &broker;
  auto config = config_for(broker);
  config.linger_ms = 200;  // all three records in one batch
  auto producer = Producer::create(config);
  REQUIRE(producer.ok());
  auto a = (*producer)->send(record("t", 0, "a"));
  auto big = (*producer)->send(record("t", 0, std::string(1000, 'x')));
  auto b = (*producer)->send(record("t", 0, "b"));
  const auto ra = a.get();
  const auto rbig = big.get();
  const auto rb = b.get();
  REQUIRE(ra.ok());
  CHECK(ra.offset == Offset{0});
  REQUIRE_FALSE(rbig.ok());
  CHECK(rbig.error->code == protocol::errc::message_too_large);
  REQUIRE(rb.ok());
  CHECK(rb.offset == Offset{1});
  (*producer)->close();
  std::lock_guard lock(log.mutex);
  CHECK_FALSE(log.bad_request);
  CHECK(log.values == std::vector<std::string>{"a", "b"});
}

TEST_CASE("when max_request_bytes cuts requests short, the partitions left out go first in the next one") {
  // Three partitions with a backlog each larger than a request. The first request is held by the broker
  // while the backlog builds; after it, one request at a time. Were every request to start at the lowest
  // partition, partition 2 would wait until 0 and 1 had sent everything.
  std::mutex mutex;
  std::vector<std::vector<int32_t>> requests;  // the partitions of each produce request, in order
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> first_arrived{false};
  FakeBroker* self = nullptr;
  FakeBroker broker([&](const FakeBroker::Request& r) -> std::optional<Buffer> {
    if (r.api_key == protocol::ApiKey::metadata) return FakeBroker::respond(r, self->metadata({{"t", 3}}));
    if (r.api_key != protocol::ApiKey::produce) return std::nullopt;
    const auto request = r.parse<wire::ProduceRequest>();
    bool first = false;
    {
      std::lock_guard lock(mutex);
      first = requests.empty();
      requests.emplace_back();
      for (const auto& p : request.partitions()) requests.back().push_back(p.partition());
    }
    if (first) {
      first_arrived = true;
      released.wait_for(10s);
    }
    return FakeBroker::accept_produce(r);
  });
  self = &broker;
  auto config = config_for(broker);
  config.batch_bytes = 1000;
  config.backlog_batch_bytes = 1000;  // batches stay at batch_bytes
  config.max_request_bytes = 2500;    // two batches of one partition
  config.max_in_flight_per_connection = 1;
  auto producer = Producer::create(config);
  REQUIRE(producer.ok());

  std::vector<std::future<DeliveryReport>> reports;
  reports.push_back((*producer)->send(record("t", 0, "first")));
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!first_arrived && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  REQUIRE(first_arrived);
  for (int i = 0; i < 40; ++i) {  // about 5,000 bytes per partition: at least three requests each
    for (int32_t partition = 0; partition < 3; ++partition) {
      reports.push_back((*producer)->send(record("t", partition, std::string(100, 'x'))));
    }
  }
  release.set_value();
  for (auto& report : reports) REQUIRE(report.get().ok());
  (*producer)->close();

  std::lock_guard lock(mutex);
  REQUIRE(requests.size() >= 4);
  // The first request ended with partition 0, and each backlog fills a request: the next three go to 1, 2
  // and 0.
  CHECK(requests[1] == std::vector<int32_t>{1});
  CHECK(requests[2] == std::vector<int32_t>{2});
  CHECK(requests[3] == std::vector<int32_t>{0});
}
