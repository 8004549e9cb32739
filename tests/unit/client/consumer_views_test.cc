// Consumer::poll_views against poll() over the same fetched data: the same records (null keys and values,
// headers, timestamps), the same skipped control batches, the same CORRUPT_MESSAGE, and views that stay valid
// while their ConsumerRecords lives — after seeks and after the consumer itself is gone.
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <set>
#include <tuple>

#include "batch_helpers.h"
#include "fake_broker.h"
#include "millrace/client/consumer.h"
#include "millrace/protocol/errc.h"
#include "millrace/protocol/list_offsets.h"

using namespace millrace;
using namespace millrace::client;
using millrace::testing::FakeBroker;
using namespace std::chrono_literals;

namespace {

protocol::Record record(std::optional<std::string> key, std::optional<std::string> value,
                        std::vector<protocol::RecordHeader> headers = {}) {
  protocol::Record r;
  r.key = std::move(key);
  r.value = std::move(value);
  r.headers = std::move(headers);
  r.timestamp_ms = 1'700'000'000'000;
  return r;
}

Buffer batch(int64_t base_offset, const std::vector<protocol::Record>& records) {
  protocol::RecordBatchBuilder builder;
  for (const auto& r : records) builder.append(r);
  Buffer bytes = builder.build();
  protocol::set_base_offset(bytes, base_offset);
  return bytes;
}

// Topic "t", two partitions. Partition 0: offsets 0-2 (a null key, a null value, headers with a null value),
// a control batch at 3, offsets 4-5; log end 6. Partition 1: offsets 0-1; log end 2. With `corrupt`, the
// batch at 4 of partition 0 has a bad CRC.
struct Log {
  std::vector<Buffer> partition0;
  Buffer partition1;
  explicit Log(bool corrupt) {
    partition0.push_back(batch(0, {record(std::nullopt, "a"), record("k1", std::nullopt),
                                   record("k2", "v2", {{"h1", "x"}, {"h2", std::nullopt}, {"", ""}})}));
    partition0.push_back(millrace::testing::batch_at(3, 1, true));
    partition0.push_back(batch(4, {record("k4", std::string(3000, 'z')), record("", "")}));
    if (corrupt) partition0.back()[partition0.back().size() - 1] ^= 0x5a;
    partition1 = batch(0, {record("p1", "one"), record(std::nullopt, std::nullopt, {{"only", "h"}})});
  }
  int64_t end(int32_t partition) const { return partition == 0 ? 6 : 2; }
  // The whole batch holding `offset` and the one after it (so partition 0 takes two fetches), as a broker
  // with a small fetch size returns them.
  Buffer from(int32_t partition, int64_t offset) const {
    if (partition == 1) return offset < 2 ? partition1 : Buffer{};
    const std::vector<int64_t> bases{0, 3, 4};
    Buffer out;
    int taken = 0;
    for (size_t i = 0; i < bases.size() && taken < 2; ++i) {
      const int64_t next = i + 1 < bases.size() ? bases[i + 1] : 6;
      if (next <= offset) continue;
      out.insert(out.end(), partition0[i].begin(), partition0[i].end());
      ++taken;
    }
    return out;
  }
};

std::optional<Buffer> serve(const Log& log, FakeBroker& self, const FakeBroker::Request& r) {
  switch (r.api_key) {
    case protocol::ApiKey::metadata:
      return FakeBroker::respond(r, self.metadata({{"t", 2}}));
    case protocol::ApiKey::list_offsets:
      return FakeBroker::answer_list_offsets(r, [&](int32_t partition) { return log.end(partition); });
    case protocol::ApiKey::fetch:
      return FakeBroker::answer_fetch(
          r, [&](int32_t partition) { return log.end(partition); },
          [&](int32_t partition, int64_t offset) { return log.from(partition, offset); });
    default:
      return std::nullopt;
  }
}

std::unique_ptr<Consumer> make_consumer(const FakeBroker& broker,
                                        int32_t fetch_connections = ConsumerConfig{}.fetch_connections) {
  ConsumerConfig config;
  config.connection.bootstrap = broker.bootstrap();
  config.fetch_connections = fetch_connections;
  config.auto_offset_reset = OffsetReset::earliest;
  config.fetch_max_wait_ms = 20;
  auto consumer = Consumer::create(config);
  REQUIRE(consumer.ok());
  REQUIRE((*consumer)->assign_topic("t").ok());
  return std::move(*consumer);
}

// What a consumer returned: records by (partition, offset), and the error that ended polling, if any.
struct Outcome {
  std::vector<ConsumerRecord> records;
  std::optional<std::error_code> error;
};

bool before(const ConsumerRecord& a, const ConsumerRecord& b) {
  return std::tie(a.partition.value, a.offset.value) < std::tie(b.partition.value, b.offset.value);
}

// Polls until `count` records or an error (or 5 s).
template <class Poll>
Outcome poll_until(Poll&& poll_once, size_t count) {
  Outcome out;
  const auto give_up = std::chrono::steady_clock::now() + 5s;
  while (out.records.size() < count && !out.error && std::chrono::steady_clock::now() < give_up) {
    if (auto st = poll_once(out.records); !st) out.error = st.error().code;
  }
  std::sort(out.records.begin(), out.records.end(), before);
  return out;
}

void check_same(const std::vector<ConsumerRecord>& a, const std::vector<ConsumerRecord>& b) {
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    INFO("record " << i);
    CHECK(a[i].topic == b[i].topic);
    CHECK(a[i].partition == b[i].partition);
    CHECK(a[i].offset == b[i].offset);
    CHECK(a[i].key == b[i].key);
    CHECK(a[i].value == b[i].value);
    CHECK(a[i].headers == b[i].headers);
    CHECK(a[i].timestamp_ms == b[i].timestamp_ms);
  }
}

}  // namespace

TEST_CASE("poll_views returns what poll returns: null keys and values, headers, control batches skipped") {
  const Log log(false);
  FakeBroker* self = nullptr;
  FakeBroker broker([&](const FakeBroker::Request& r) { return serve(log, *self, r); });
  self = &broker;

  auto owned_consumer = make_consumer(broker);
  const Outcome owned = poll_until(
      [&](std::vector<ConsumerRecord>& out) -> Status {
        auto records = owned_consumer->poll(100ms);
        if (!records) return std::move(records).error();
        out.insert(out.end(), records->begin(), records->end());
        return {};
      },
      7);

  std::vector<ConsumerRecords> kept;  // every batch of views, read only after the consumer is gone
  {
    auto view_consumer = make_consumer(broker);
    const Outcome counted = poll_until(
        [&](std::vector<ConsumerRecord>& out) -> Status {
          auto records = view_consumer->poll_views(100ms);
          if (!records) return std::move(records).error();
          out.resize(out.size() + records->size());  // counted only; copied below
          kept.push_back(std::move(*records));
          return {};
        },
        7);
    REQUIRE_FALSE(counted.error);
    CHECK(*view_consumer->position(TopicPartition{"t", PartitionId{0}}) == Offset{6});  // past the control
    CHECK(*view_consumer->position(TopicPartition{"t", PartitionId{1}}) == Offset{2});
    REQUIRE(view_consumer->seek_to_beginning().ok());  // drops buffered views; kept ones must not care
  }
  std::vector<ConsumerRecord> from_views;
  for (const ConsumerRecords& records : kept)
    for (const ConsumerRecordView& view : records) from_views.push_back(view.to_record());
  std::sort(from_views.begin(), from_views.end(), before);

  REQUIRE_FALSE(owned.error);
  REQUIRE(owned.records.size() == 7);
  check_same(owned.records, from_views);

  // Spot checks against the log itself, so that both being wrong the same way fails too.
  const ConsumerRecord& null_key = from_views[0];
  CHECK(null_key.partition == PartitionId{0});
  CHECK_FALSE(null_key.key);
  CHECK(null_key.value == "a");
  CHECK(from_views[1].key == "k1");
  CHECK_FALSE(from_views[1].value);
  const auto& headers = from_views[2].headers;
  REQUIRE(headers.size() == 3);
  CHECK(headers[0] == protocol::RecordHeader{"h1", "x"});
  CHECK(headers[1] == protocol::RecordHeader{"h2", std::nullopt});
  CHECK(headers[2] == protocol::RecordHeader{"", ""});
  CHECK(from_views[3].offset == Offset{4});  // offset 3 is the control batch
  CHECK(from_views[3].value == std::string(3000, 'z'));
  CHECK(from_views[4].key == "");
  CHECK(from_views[4].timestamp_ms == 1'700'000'000'000);
  CHECK(from_views[6].partition == PartitionId{1});
  CHECK(from_views[6].headers == std::vector<protocol::RecordHeader>{{"only", "h"}});
}

TEST_CASE("poll_views reads headers in place and reports a null key and value as nullopt") {
  const Log log(false);
  FakeBroker* self = nullptr;
  FakeBroker broker([&](const FakeBroker::Request& r) { return serve(log, *self, r); });
  self = &broker;
  auto consumer = make_consumer(broker);
  REQUIRE(consumer->assign({TopicPartition{"t", PartitionId{1}}}).ok());
  ConsumerRecords records;
  const auto give_up = std::chrono::steady_clock::now() + 5s;
  while (records.size() < 2 && std::chrono::steady_clock::now() < give_up) {
    auto polled = consumer->poll_views(100ms);
    REQUIRE(polled.ok());
    if (!polled->empty()) records = std::move(*polled);
  }
  REQUIRE(records.size() == 2);  // one fetch holds both records, so one poll returns both
  CHECK(records[0].topic == "t");
  CHECK(records[0].key == std::optional<std::string_view>("p1"));
  CHECK(records[0].headers.empty());
  CHECK_FALSE(records[1].key);
  CHECK_FALSE(records[1].value);
  REQUIRE(records[1].headers.size() == 1);
  const HeaderView header = *records[1].headers.begin();
  CHECK(header.key == "only");
  CHECK(header.value == std::optional<std::string_view>("h"));
  CHECK(std::next(records[1].headers.begin()) == records[1].headers.end());
}

TEST_CASE("poll_views fails on a corrupt batch exactly as poll does") {
  const Log log(true);
  FakeBroker* self = nullptr;
  FakeBroker broker([&](const FakeBroker::Request& r) { return serve(log, *self, r); });
  self = &broker;
  const TopicPartition p0{"t", PartitionId{0}};

  auto owned_consumer = make_consumer(broker);
  REQUIRE(owned_consumer->assign({p0}).ok());
  const Outcome owned = poll_until(
      [&](std::vector<ConsumerRecord>& out) -> Status {
        auto records = owned_consumer->poll(100ms);
        if (!records) return std::move(records).error();
        out.insert(out.end(), records->begin(), records->end());
        return {};
      },
      100);

  auto view_consumer = make_consumer(broker);
  REQUIRE(view_consumer->assign({p0}).ok());
  const Outcome viewed = poll_until(
      [&](std::vector<ConsumerRecord>& out) -> Status {
        auto records = view_consumer->poll_views(100ms);
        if (!records) return std::move(records).error();
        for (const auto& view : *records) out.push_back(view.to_record());
        return {};
      },
      100);

  // The first fetch (offsets 0-3) is fine; the second holds the corrupt batch and is refused whole: both
  // return offsets 0-2, then CORRUPT_MESSAGE, and stay before the corrupt batch.
  REQUIRE(owned.error);
  REQUIRE(viewed.error);
  CHECK(*owned.error == protocol::errc::corrupt_message);
  CHECK(*viewed.error == *owned.error);
  REQUIRE(owned.records.size() == 3);
  check_same(owned.records, viewed.records);
  CHECK(*owned_consumer->position(p0) == Offset{4});
  CHECK(*view_consumer->position(p0) == Offset{4});
  auto again = view_consumer->poll_views(100ms);  // the batch is still corrupt on the next fetch
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == protocol::errc::corrupt_message);
}

TEST_CASE("fetch requests rotate the order of their partitions so that none is always last") {
  // An endless log: every fetch gets one record at the fetch offset of every partition, so every fetch asks
  // for all three partitions; the broker would fill a response in that order up to fetch_max_bytes.
  std::mutex mutex;
  std::set<int32_t> first_partitions;
  int fetches = 0;
  FakeBroker* self = nullptr;
  FakeBroker broker([&](const FakeBroker::Request& r) -> std::optional<Buffer> {
    switch (r.api_key) {
      case protocol::ApiKey::metadata:
        return FakeBroker::respond(r, self->metadata({{"t", 3}}));
      case protocol::ApiKey::list_offsets:  // the log starts and ends at 0: each fetch makes the next record
        return FakeBroker::answer_list_offsets(r, [](int32_t) { return 0; });
      case protocol::ApiKey::fetch: {
        const auto request = r.parse<wire::FetchRequest>();
        {
          std::lock_guard lock(mutex);
          if (request.partitions_size() == 3) {
            first_partitions.insert(request.partitions(0).partition());
            ++fetches;
          }
        }
        wire::FetchResponse response;
        Buffer payload;
        for (const auto& p : request.partitions()) {
          auto* result = response.add_results();
          result->set_topic(p.topic());
          result->set_partition(p.partition());
          result->set_high_watermark(p.fetch_offset() + 1);
          const Buffer bytes = millrace::testing::batch_at(p.fetch_offset(), 1);
          result->set_records_bytes(static_cast<uint32_t>(bytes.size()));
          payload.insert(payload.end(), bytes.begin(), bytes.end());
        }
        return FakeBroker::respond(r, response, payload);
      }
      default:
        return std::nullopt;
    }
  });
  self = &broker;
  auto consumer = make_consumer(broker, 1);  // one connection: every fetch asks for all three
  const auto give_up = std::chrono::steady_clock::now() + 5s;
  const auto done = [&] {
    std::lock_guard lock(mutex);
    return first_partitions.size() == 3 && fetches >= 6;
  };
  while (!done() && std::chrono::steady_clock::now() < give_up) REQUIRE(consumer->poll_views(50ms).ok());
  std::lock_guard lock(mutex);
  INFO("fetches for all three partitions: " << fetches);
  CHECK(first_partitions == std::set<int32_t>{0, 1, 2});
}
