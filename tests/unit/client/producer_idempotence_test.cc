// The idempotent producer against a scripted broker that applies the sequence rules: the producer gets a
// producer id first, stamps consecutive sequences, keeps several batches in flight, and when an early batch
// is lost resends it and the batches refused behind it in order, so the log ends up complete and in order.
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <map>
#include <mutex>

#include "delivery_checks.h"
#include "fake_broker.h"
#include "millrace/client/producer.h"
#include "millrace/protocol/errc.h"
#include "millrace/protocol/record_batch.h"
#include "millrace/protocol/record_batch_decoder.h"

using namespace millrace;
using namespace millrace::client;
using millrace::testing::FakeBroker;

namespace {

constexpr int64_t kProducerId = 1000;

// The result for partition t-0 in a produce response, and a refusal of it.
auto* add_result_for_t0(wire::ProduceResponse& response) {
  auto* result = response.add_results();
  result->set_topic("t");
  result->set_partition(0);
  return result;
}

template <class Result>
void refuse(Result* result, protocol::errc code) {
  result->set_error_code(static_cast<int32_t>(code));
  result->set_base_offset(-1);
}

// One partition with the broker's sequence rules (simplified: one producer, one epoch).
struct SequencedLog {
  std::mutex mutex;
  std::vector<std::string> values;
  std::map<int32_t, int64_t> offset_of_sequence;  // first sequence of each appended batch -> base offset
  int32_t next_sequence = 0;
  int init_requests = 0;
  int produce_requests = 0;
  int out_of_order = 0;
  bool bad_request = false;

  // Answers Metadata (topic "t", one partition) and InitProducerId (kProducerId, epoch 0); nothing else.
  // Call with `mutex` held.
  std::optional<Buffer> answer_setup(const FakeBroker& broker, const FakeBroker::Request& r) {
    if (r.api_key == protocol::ApiKey::metadata) return FakeBroker::respond(r, broker.metadata({{"t", 1}}));
    if (r.api_key != protocol::ApiKey::init_producer_id) return std::nullopt;
    ++init_requests;
    wire::InitProducerIdResponse response;
    response.set_producer_id(kProducerId);
    response.set_producer_epoch(0);
    return FakeBroker::respond(r, response);
  }

  // The sequence rules for the one batch of `r` (header `header`): a batch seen before gets its base offset
  // again, a gap is OUT_OF_ORDER_SEQUENCE_NUMBER, the next batch in sequence is appended. Call with `mutex`
  // held.
  template <class Result>
  void apply_sequence_rules(const FakeBroker::Request& r, const protocol::RecordBatchHeader& header,
                            Result* result) {
    if (auto dup = offset_of_sequence.find(header.base_sequence); dup != offset_of_sequence.end()) {
      result->set_base_offset(dup->second);
    } else if (header.base_sequence != next_sequence) {
      ++out_of_order;
      refuse(result, protocol::errc::out_of_order_sequence_number);
    } else {
      result->set_base_offset(static_cast<int64_t>(values.size()));
      offset_of_sequence[header.base_sequence] = static_cast<int64_t>(values.size());
      std::vector<protocol::Record> records;
      if (!protocol::decode_records(r.payload, 0, records).ok()) bad_request = true;
      for (const auto& rec : records) values.push_back(*rec.value);
      next_sequence = header.base_sequence + header.last_offset_delta + 1;
    }
  }
};

ProducerRecord record(std::string value) {
  ProducerRecord r;
  r.topic = "t";
  r.partition = PartitionId{0};
  r.value = std::move(value);
  return r;
}

}  // namespace

TEST_CASE("a lost first batch is resent, the batches refused behind it follow in order, nothing twice") {
  SequencedLog log;
  FakeBroker* self = nullptr;
  FakeBroker broker([&](const FakeBroker::Request& r) -> std::optional<Buffer> {
    std::lock_guard lock(log.mutex);
    if (r.api_key != protocol::ApiKey::produce) return log.answer_setup(*self, r);
    const auto request = r.parse<wire::ProduceRequest>();
    if (request.partitions_size() != 1 || log.init_requests == 0) log.bad_request = true;
    const auto header = protocol::read_batch_header(r.payload);
    if (header.producer_id != kProducerId || header.producer_epoch != 0) log.bad_request = true;
    wire::ProduceResponse response;
    auto* result = add_result_for_t0(response);
    if (++log.produce_requests == 1) return std::nullopt;  // lost on the way: never appended, no answer
    log.apply_sequence_rules(r, header, result);
    return FakeBroker::respond(r, response);
  });
  self = &broker;

  ProducerConfig config;
  config.connection.bootstrap = broker.bootstrap();
  config.connection.request_timeout_ms = 300;
  config.linger_ms = 0;
  config.batch_bytes = 100;  // a few records per batch: many batches
  config.retry_backoff_ms = 10;
  config.delivery_timeout_ms = 20000;
  auto producer = Producer::create(config);
  REQUIRE(producer.ok());
  constexpr int kRecords = 60;
  std::vector<std::future<DeliveryReport>> reports;
  for (int i = 0; i < kRecords; ++i)
    reports.push_back((*producer)->send(record("value-" + std::to_string(i))));
  millrace::testing::require_delivered_at_offsets_from_zero(reports);
  (*producer)->close();
  std::lock_guard lock(log.mutex);
  CHECK_FALSE(log.bad_request);
  CHECK(log.init_requests == 1);
  REQUIRE(log.values.size() == kRecords);
  for (int i = 0; i < kRecords; ++i)
    CHECK(log.values[static_cast<size_t>(i)] == "value-" + std::to_string(i));
  CHECK(log.out_of_order > 0);  // batches behind the lost one were refused and resent
}

TEST_CASE(
    "a batch that fails for good resets its partition: later records start at sequence 0 under a new id") {
  std::mutex mutex;
  int init_requests = 0;
  int produce_requests = 0;
  std::vector<protocol::RecordBatchHeader> accepted;
  FakeBroker* self = nullptr;
  FakeBroker broker([&](const FakeBroker::Request& r) -> std::optional<Buffer> {
    std::lock_guard lock(mutex);
    if (r.api_key == protocol::ApiKey::metadata) return FakeBroker::respond(r, self->metadata({{"t", 1}}));
    if (r.api_key == protocol::ApiKey::init_producer_id) {
      wire::InitProducerIdResponse response;
      response.set_producer_id(kProducerId + init_requests++);
      response.set_producer_epoch(0);
      return FakeBroker::respond(r, response);
    }
    if (r.api_key != protocol::ApiKey::produce) return std::nullopt;
    wire::ProduceResponse response;
    auto* result = add_result_for_t0(response);
    if (++produce_requests == 1) {
      refuse(result, protocol::errc::invalid_record);  // not retriable
    } else {
      accepted.push_back(protocol::read_batch_header(r.payload));
      result->set_base_offset(static_cast<int64_t>(accepted.size()) - 1);
    }
    return FakeBroker::respond(r, response);
  });
  self = &broker;

  ProducerConfig config;
  config.connection.bootstrap = broker.bootstrap();
  config.linger_ms = 0;
  config.retry_backoff_ms = 10;
  auto producer = Producer::create(config);
  REQUIRE(producer.ok());
  const auto refused = (*producer)->send(record("refused")).get();
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error->code == protocol::errc::invalid_record);
  for (int i = 0; i < 3; ++i) REQUIRE((*producer)->send(record("later-" + std::to_string(i))).get().ok());
  (*producer)->close();
  std::lock_guard lock(mutex);
  CHECK(init_requests == 2);
  REQUIRE(accepted.size() == 3);
  int32_t expected_sequence = 0;
  for (const auto& header : accepted) {
    CHECK(header.producer_id == kProducerId + 1);
    CHECK(header.base_sequence == expected_sequence);
    expected_sequence = header.base_sequence + header.last_offset_delta + 1;
  }
}

TEST_CASE("a grown stamped batch refused as too large is split into parts that keep its sequence numbers") {
  constexpr size_t kBrokerBatchLimit = 1000;
  SequencedLog log;
  int too_large = 0;
  std::promise<void> all_sent;
  std::shared_future<void> all_sent_future = all_sent.get_future().share();
  FakeBroker* self = nullptr;
  FakeBroker broker([&](const FakeBroker::Request& r) -> std::optional<Buffer> {
    if (r.api_key == protocol::ApiKey::produce) {
      // No answer before every record was sent: the producer's window fills and its open batch grows.
      all_sent_future.wait_for(std::chrono::seconds(10));
    }
    std::lock_guard lock(log.mutex);
    if (r.api_key != protocol::ApiKey::produce) return log.answer_setup(*self, r);
    ++log.produce_requests;
    const auto header = protocol::read_batch_header(r.payload);
    if (header.producer_id != kProducerId || header.producer_epoch != 0) log.bad_request = true;
    wire::ProduceResponse response;
    auto* result = add_result_for_t0(response);
    if (r.payload.size() > kBrokerBatchLimit) {  // checked before the sequence, as the broker does
      ++too_large;
      refuse(result, protocol::errc::message_too_large);
    } else {
      log.apply_sequence_rules(r, header, result);
    }
    return FakeBroker::respond(r, response);
  });
  self = &broker;

  ProducerConfig config;
  config.connection.bootstrap = broker.bootstrap();
  config.linger_ms = 0;
  config.batch_bytes = 300;
  config.backlog_batch_bytes = 3000;  // over the broker's limit
  config.retry_backoff_ms = 10;
  auto producer = Producer::create(config);
  REQUIRE(producer.ok());
  constexpr int kRecords = 200;
  std::vector<std::future<DeliveryReport>> reports;
  for (int i = 0; i < kRecords; ++i)
    reports.push_back((*producer)->send(record("value-" + std::to_string(i) + std::string(30, '.'))));
  all_sent.set_value();
  millrace::testing::require_delivered_at_offsets_from_zero(reports);
  (*producer)->close();
  std::lock_guard lock(log.mutex);
  CHECK_FALSE(log.bad_request);
  CHECK(too_large > 0);  // a batch grew past the broker's limit while the first request waited
  REQUIRE(log.values.size() == kRecords);
  for (int i = 0; i < kRecords; ++i)
    CHECK(log.values[static_cast<size_t>(i)] == "value-" + std::to_string(i) + std::string(30, '.'));
}
