// The consumer fetches ahead: a partition's next fetch goes out while its fetched records are still being
// checked, decoded and handed out. What must hold: the next fetch starts where the fetched batches end, no
// record is returned twice or skipped, a seek drops what was fetched ahead, and a bad batch found after some
// records were handed out costs none of them.
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "batch_helpers.h"
#include "fake_broker.h"
#include "millrace/client/consumer.h"
#include "millrace/protocol/errc.h"

using namespace millrace;
using namespace millrace::client;
using millrace::testing::FakeBroker;
using namespace std::chrono_literals;

namespace {

constexpr int64_t kBatchRecords = 5;

// A broker whose topic "t" (`partitions` partitions) has `end` records per partition, in batches of five; a
// fetch returns the one batch holding the fetch offset. It records every fetch offset it is asked for.
// `corrupt(partition, base_offset)` says which batches come with a broken CRC.
class Log {
 public:
  Log(int32_t partitions, int64_t end) : partitions_(partitions), end_(end) {}
  std::function<bool(int32_t, int64_t)> corrupt = [](int32_t, int64_t) { return false; };

  std::optional<Buffer> serve(FakeBroker& self, const FakeBroker::Request& r) {
    switch (r.api_key) {
      case protocol::ApiKey::metadata:
        return FakeBroker::respond(r, self.metadata({{"t", partitions_}}));
      case protocol::ApiKey::list_offsets:
        return FakeBroker::answer_list_offsets(r, [&](int32_t) { return end_; });
      case protocol::ApiKey::fetch:
        return FakeBroker::answer_fetch(
            r, [&](int32_t) { return end_; },
            [&](int32_t partition, int64_t offset) {
              note_fetch(partition, offset);
              if (offset >= end_) return Buffer{};
              const int64_t base = offset - offset % kBatchRecords;
              Buffer bytes = millrace::testing::batch_at(base, static_cast<int>(kBatchRecords));
              if (corrupt(partition, base)) bytes.back() ^= 0x5a;
              return bytes;
            });
      default:
        return std::nullopt;
    }
  }

  // Waits (up to 5 s) until some fetch of `partition` asked for `offset`.
  bool wait_for_fetch(int32_t partition, int64_t offset) {
    std::unique_lock lock(mutex_);
    return fetched_.wait_for(lock, 5s, [&] {
      return std::find(seen_.begin(), seen_.end(), std::pair{partition, offset}) != seen_.end();
    });
  }
  std::vector<std::pair<int32_t, int64_t>> fetches() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  void note_fetch(int32_t partition, int64_t offset) {
    {
      std::lock_guard lock(mutex_);
      seen_.emplace_back(partition, offset);
    }
    fetched_.notify_all();
  }

  const int32_t partitions_;
  const int64_t end_;
  std::mutex mutex_;
  std::condition_variable fetched_;
  std::vector<std::pair<int32_t, int64_t>> seen_;
};

// A Log and the FakeBroker serving it.
struct Served {
  Log log;
  FakeBroker broker;
  Served(int32_t partitions, int64_t end)
      : log(partitions, end), broker([this](const FakeBroker::Request& r) { return log.serve(broker, r); }) {}
};

std::unique_ptr<Consumer> make_consumer(const FakeBroker& broker, int32_t max_poll_records,
                                        int32_t fetch_connections = ConsumerConfig{}.fetch_connections) {
  ConsumerConfig config;
  config.fetch_connections = fetch_connections;
  config.connection.bootstrap = broker.bootstrap();
  config.auto_offset_reset = OffsetReset::earliest;
  config.fetch_max_wait_ms = 20;
  config.max_poll_records = max_poll_records;
  auto consumer = Consumer::create(config);
  REQUIRE(consumer.ok());
  REQUIRE((*consumer)->assign_topic("t").ok());
  return std::move(*consumer);
}

// Polls until a non-empty poll (or 5 s); the offsets it returned, in order.
std::vector<int64_t> poll_some(Consumer& consumer) {
  const auto give_up = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < give_up) {
    auto records = consumer.poll_views(100ms);
    REQUIRE(records.ok());
    if (records->empty()) continue;
    std::vector<int64_t> offsets;
    for (const auto& r : *records) offsets.push_back(r.offset.value);
    return offsets;
  }
  FAIL("no records within 5 s");
  return {};
}

}  // namespace

TEST_CASE("the next fetch goes out while the fetched records are still being handed out") {
  Served served(1, 20);
  Log& log = served.log;
  auto consumer = make_consumer(served.broker, 1);

  // The first fetch brings offsets 0-4; the first poll hands out offset 0 only.
  CHECK(poll_some(*consumer) == std::vector<int64_t>{0});
  // Without polling again, the consumer has asked for the batch after the fetched one.
  REQUIRE(log.wait_for_fetch(0, kBatchRecords));
  // And it goes on in order: every offset once, none skipped, although each batch was fetched ahead.
  std::vector<int64_t> offsets{0};
  while (offsets.size() < 20) {
    for (int64_t o : poll_some(*consumer)) offsets.push_back(o);
  }
  for (int64_t i = 0; i < 20; ++i) CHECK(offsets[static_cast<size_t>(i)] == i);
  // Each batch was fetched once: no result fetched ahead was dropped and fetched again.
  std::vector<int64_t> below_end;
  for (const auto& [partition, offset] : log.fetches()) {
    if (offset < 20) below_end.push_back(offset);
  }
  CHECK(below_end == std::vector<int64_t>{0, 5, 10, 15});
}

TEST_CASE("a seek drops the records fetched ahead, and polling goes on from the new position") {
  Served served(1, 20);
  Log& log = served.log;
  auto consumer = make_consumer(served.broker, 1);
  const TopicPartition p0{"t", PartitionId{0}};

  CHECK(poll_some(*consumer) == std::vector<int64_t>{0});
  REQUIRE(log.wait_for_fetch(0, kBatchRecords));  // offsets 5-9 are on their way or already here
  REQUIRE(consumer->seek(p0, Offset{2}).ok());
  std::vector<int64_t> offsets;
  while (offsets.size() < 8) {
    for (int64_t o : poll_some(*consumer)) offsets.push_back(o);
  }
  // 2, 3, 4 (fetched again from the new position), then 5...: nothing from before the seek, no gap.
  for (size_t i = 0; i < offsets.size(); ++i) CHECK(offsets[i] == static_cast<int64_t>(i) + 2);
}

TEST_CASE("a corrupt batch found while handing out records costs none of the records already handed out") {
  // Partition 0 is fine, partition 1's first batch is corrupt. With one fetch connection both come in one
  // fetch, and a poll hands out partition 0's records before it reaches partition 1: the error comes with the
  // next poll. With two, each partition has its own connection and the error may come first; either way
  // every record of partition 0 is returned once, and partition 1 stays before the bad batch.
  for (const int32_t connections : {1, 2}) {
    INFO("fetch_connections " << connections);
    Served served(2, 5);
    served.log.corrupt = [](int32_t partition, int64_t) { return partition == 1; };
    auto consumer = make_consumer(served.broker, 500, connections);
    const TopicPartition p0{"t", PartitionId{0}};
    const TopicPartition p1{"t", PartitionId{1}};

    std::vector<int64_t> partition0;
    std::vector<std::error_code> errors;
    const auto give_up = std::chrono::steady_clock::now() + 5s;
    while ((errors.empty() || partition0.size() < 5) && std::chrono::steady_clock::now() < give_up) {
      auto records = consumer->poll_views(100ms);
      if (!records) {
        errors.push_back(records.error().code);
        continue;
      }
      for (const auto& r : *records) {
        REQUIRE(r.partition == PartitionId{0});
        partition0.push_back(r.offset.value);
      }
    }
    REQUIRE(!errors.empty());
    for (const auto& e : errors) CHECK(e == protocol::errc::corrupt_message);
    CHECK(partition0 == std::vector<int64_t>{0, 1, 2, 3, 4});
    CHECK(*consumer->position(p0) == Offset{5});
    CHECK(*consumer->position(p1) == Offset{0});  // still before the corrupt batch
  }
}
