// Consumer against a scripted broker: resets, offset order, control batches skipped, seek, out-of-range
// policy.
#include <catch2/catch.hpp>
#include <chrono>

#include "batch_helpers.h"
#include "fake_broker.h"
#include "millrace/client/consumer.h"
#include "millrace/client/errc.h"
#include "millrace/protocol/errc.h"
#include "millrace/protocol/list_offsets.h"

using namespace millrace;
using namespace millrace::client;
using millrace::testing::FakeBroker;
using namespace std::chrono_literals;

namespace {

// A one-partition topic "t": records at offsets 0-2, a control batch at 3; log end offset 4.
constexpr int64_t kLogEnd = 4;

// A list_offsets answer for logs that start at 0 and end at `log_end`.
Buffer answer_list_offsets(const FakeBroker::Request& r, int64_t log_end) {
  return FakeBroker::answer_list_offsets(r, [log_end](int32_t) { return log_end; });
}

std::optional<Buffer> serve_log(FakeBroker& self, const FakeBroker::Request& r) {
  switch (r.api_key) {
    case protocol::ApiKey::metadata:
      return FakeBroker::respond(r, self.metadata({{"t", 1}}));
    case protocol::ApiKey::list_offsets:
      return answer_list_offsets(r, kLogEnd);
    case protocol::ApiKey::fetch: {
      const auto request = r.parse<wire::FetchRequest>();
      wire::FetchResponse response;
      Buffer payload;
      for (const auto& p : request.partitions()) {
        auto* result = response.add_results();
        result->set_topic(p.topic());
        result->set_partition(p.partition());
        result->set_high_watermark(kLogEnd);
        if (p.fetch_offset() > kLogEnd) {
          result->set_error_code(1);
          result->set_error_message("offset " + std::to_string(p.fetch_offset()) + " is outside [0, 4]");
          continue;
        }
        if (p.fetch_offset() == kLogEnd) continue;  // nothing new (a real broker would long-poll)
        const Buffer batches = millrace::testing::concat(
            {millrace::testing::batch_at(0, 3), millrace::testing::batch_at(3, 1, true)});
        result->set_records_bytes(static_cast<uint32_t>(batches.size()));
        payload.insert(payload.end(), batches.begin(), batches.end());
      }
      return FakeBroker::respond(r, response, payload);
    }
    default:
      return std::nullopt;
  }
}

std::unique_ptr<Consumer> make_consumer(const FakeBroker& broker, OffsetReset reset) {
  ConsumerConfig config;
  config.connection.bootstrap = broker.bootstrap();
  config.auto_offset_reset = reset;
  config.fetch_max_wait_ms = 50;
  auto consumer = Consumer::create(config);
  REQUIRE(consumer.ok());
  return std::move(*consumer);
}

std::vector<ConsumerRecord> poll_until(Consumer& consumer, size_t count) {
  std::vector<ConsumerRecord> out;
  const auto give_up = std::chrono::steady_clock::now() + 5s;
  while (out.size() < count && std::chrono::steady_clock::now() < give_up) {
    auto records = consumer.poll(100ms);
    REQUIRE(records.ok());
    out.insert(out.end(), records->begin(), records->end());
  }
  return out;
}

const TopicPartition kTp{"t", PartitionId{0}};

}  // namespace

TEST_CASE("earliest reset reads every record in offset order and skips the control batch") {
  FakeBroker* self = nullptr;
  FakeBroker broker([&](const FakeBroker::Request& r) { return serve_log(*self, r); });
  self = &broker;
  auto consumer = make_consumer(broker, OffsetReset::earliest);
  REQUIRE(consumer->assign_topic("t").ok());
  CHECK(consumer->assignment() == std::vector<TopicPartition>{kTp});
  const auto records = poll_until(*consumer, 3);
  REQUIRE(records.size() == 3);
  for (int i = 0; i < 3; ++i) {
    CHECK(records[static_cast<size_t>(i)].offset == Offset{i});
    CHECK(records[static_cast<size_t>(i)].value == "v" + std::to_string(i));
    CHECK(records[static_cast<size_t>(i)].topic == "t");
  }
  auto position = consumer->position(kTp);
  REQUIRE(position.ok());
  CHECK(*position == Offset{kLogEnd});  // past the control batch
  auto more = consumer->poll(100ms);
  REQUIRE(more.ok());
  CHECK(more->empty());
}

TEST_CASE("latest reset starts at the log end and seek moves the position") {
  FakeBroker* self = nullptr;
  FakeBroker broker([&](const FakeBroker::Request& r) { return serve_log(*self, r); });
  self = &broker;
  auto consumer = make_consumer(broker, OffsetReset::latest);
  REQUIRE(consumer->assign({kTp}).ok());
  auto position = consumer->position(kTp);
  REQUIRE(position.ok());
  CHECK(*position == Offset{kLogEnd});
  auto none = consumer->poll(100ms);
  REQUIRE(none.ok());
  CHECK(none->empty());
  REQUIRE(consumer->seek(kTp, Offset{1}).ok());
  const auto records = poll_until(*consumer, 2);
  REQUIRE(records.size() == 2);
  CHECK(records[0].offset == Offset{1});
  CHECK(records[1].offset == Offset{2});
  REQUIRE(consumer->seek_to_beginning().ok());
  CHECK(*consumer->position(kTp) == Offset{0});
}

TEST_CASE("an out-of-range position fails with policy none and resets otherwise") {
  FakeBroker* self = nullptr;
  FakeBroker broker([&](const FakeBroker::Request& r) { return serve_log(*self, r); });
  self = &broker;
  SECTION("none") {
    auto consumer = make_consumer(broker, OffsetReset::none);
    REQUIRE(consumer->assign({kTp}).ok());
    auto no_position = consumer->poll(50ms);
    REQUIRE_FALSE(no_position.ok());  // nothing to start from
    REQUIRE(consumer->seek(kTp, Offset{100}).ok());
    Result<std::vector<ConsumerRecord>> result = std::vector<ConsumerRecord>{};
    const auto give_up = std::chrono::steady_clock::now() + 5s;
    while (result.ok() && std::chrono::steady_clock::now() < give_up) result = consumer->poll(100ms);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == protocol::errc::offset_out_of_range);
  }
  SECTION("earliest") {
    auto consumer = make_consumer(broker, OffsetReset::earliest);
    REQUIRE(consumer->assign({kTp}).ok());
    REQUIRE(consumer->seek(kTp, Offset{100}).ok());
    const auto records = poll_until(*consumer, 3);
    REQUIRE(records.size() == 3);
    CHECK(records[0].offset == Offset{0});
  }
}

TEST_CASE("consumer calls on unassigned partitions and closed consumers fail clearly") {
  FakeBroker* self = nullptr;
  FakeBroker broker([&](const FakeBroker::Request& r) { return serve_log(*self, r); });
  self = &broker;
  auto consumer = make_consumer(broker, OffsetReset::earliest);
  CHECK(consumer->seek(kTp, Offset{0}).error().code == errc::not_assigned);
  CHECK(consumer->assign_topic("nope").ok() == false);
  consumer->close();
  auto after = consumer->poll(10ms);
  REQUIRE_FALSE(after.ok());
  CHECK(after.error().code == errc::closed);
}

TEST_CASE("fetch responses larger than the receive buffer arrive whole and in order") {
  // Topic "big": 6 batches of 100 records of ~1 KiB each; a fetch returns every batch from its offset on, so
  // the first response is ~600 KB, far beyond the client's 64 KiB receive buffer.
  constexpr int kBatches = 6;
  constexpr int kPerBatch = 100;
  constexpr int64_t kEnd = kBatches * kPerBatch;
  const auto value_of = [](int64_t offset) {
    return std::to_string(offset) + std::string(1000, static_cast<char>('a' + offset % 26));
  };
  std::vector<Buffer> batches;
  for (int b = 0; b < kBatches; ++b) {
    protocol::RecordBatchBuilder builder;
    for (int i = 0; i < kPerBatch; ++i) {
      protocol::Record r;
      r.value = value_of(b * kPerBatch + i);
      builder.append(r);
    }
    Buffer bytes = builder.build();
    protocol::set_base_offset(bytes, b * kPerBatch);
    batches.push_back(std::move(bytes));
  }
  FakeBroker* self = nullptr;
  FakeBroker broker([&](const FakeBroker::Request& r) -> std::optional<Buffer> {
    switch (r.api_key) {
      case protocol::ApiKey::metadata:
        return FakeBroker::respond(r, self->metadata({{"big", 1}}));
      case protocol::ApiKey::list_offsets:
        return answer_list_offsets(r, kEnd);
      case protocol::ApiKey::fetch:
        return FakeBroker::answer_fetch(
            r, [&](int32_t) { return kEnd; },
            [&](int32_t, int64_t fetch_offset) {
              Buffer bytes;
              for (int b = static_cast<int>(fetch_offset / kPerBatch); b < kBatches; ++b)
                bytes.insert(bytes.end(), batches[static_cast<size_t>(b)].begin(),
                             batches[static_cast<size_t>(b)].end());
              return bytes;
            });
      default:
        return std::nullopt;
    }
  });
  self = &broker;
  auto consumer = make_consumer(broker, OffsetReset::earliest);
  REQUIRE(consumer->assign_topic("big").ok());
  const auto records = poll_until(*consumer, kEnd);
  REQUIRE(records.size() == static_cast<size_t>(kEnd));
  size_t wrong = 0;
  for (int64_t i = 0; i < kEnd; ++i) {
    const auto& record = records[static_cast<size_t>(i)];
    if (record.offset != Offset{i} || record.value != value_of(i)) ++wrong;
  }
  CHECK(wrong == 0);
}
