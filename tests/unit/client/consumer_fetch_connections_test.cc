// A consumer spreads its fetches over `fetch_connections` connections per broker: each partition's fetches
// always go on the same one, the partitions take them in turn, and every record arrives once and in order
// whatever the number of connections (the records are checked and decoded on the connection's own thread).
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <vector>

#include "batch_helpers.h"
#include "fake_broker.h"
#include "millrace/client/consumer.h"

using namespace millrace;
using namespace millrace::client;
using millrace::testing::FakeBroker;
using namespace std::chrono_literals;

namespace {

constexpr int32_t kPartitions = 4;
constexpr int64_t kRecords = 40;  // per partition, in batches of four

// Which partitions each connection asked to fetch.
class FetchLog {
 public:
  void note(int connection, int32_t partition) {
    std::lock_guard lock(mutex_);
    partitions_by_connection_[connection].insert(partition);
  }
  std::map<int, std::set<int32_t>> partitions_by_connection() {
    std::lock_guard lock(mutex_);
    return partitions_by_connection_;
  }

 private:
  std::mutex mutex_;
  std::map<int, std::set<int32_t>> partitions_by_connection_;
};

}  // namespace

TEST_CASE("fetches are spread over the configured connections and every record arrives once in order") {
  for (const int32_t connections : {1, 2, 3}) {
    INFO("fetch_connections " << connections);
    FetchLog fetch_log;
    FakeBroker* self = nullptr;
    FakeBroker broker([&](const FakeBroker::Request& r) -> std::optional<Buffer> {
      switch (r.api_key) {
        case protocol::ApiKey::metadata:
          return FakeBroker::respond(r, self->metadata({{"t", kPartitions}}));
        case protocol::ApiKey::list_offsets:
          return FakeBroker::answer_list_offsets(r, [](int32_t) { return kRecords; });
        case protocol::ApiKey::fetch:
          return FakeBroker::answer_fetch(
              r, [](int32_t) { return kRecords; },
              [&](int32_t partition, int64_t offset) {
                fetch_log.note(r.connection, partition);
                if (offset >= kRecords) return Buffer{};
                return millrace::testing::batch_at(offset - offset % 4, 4);
              });
        default:
          return std::nullopt;
      }
    });
    self = &broker;

    ConsumerConfig config;
    config.connection.bootstrap = broker.bootstrap();
    config.auto_offset_reset = OffsetReset::earliest;
    config.fetch_max_wait_ms = 20;
    config.fetch_connections = connections;
    auto consumer = Consumer::create(config);
    REQUIRE(consumer.ok());
    REQUIRE((*consumer)->assign_topic("t").ok());

    std::map<int32_t, std::vector<int64_t>> offsets;
    size_t received = 0;
    const auto give_up = std::chrono::steady_clock::now() + 5s;
    while (received < kPartitions * kRecords && std::chrono::steady_clock::now() < give_up) {
      auto records = (*consumer)->poll_views(50ms);
      REQUIRE(records.ok());
      for (const auto& r : *records) {
        offsets[r.partition.value].push_back(r.offset.value);
        ++received;
      }
    }
    INFO("records received: " << received);
    std::vector<int64_t> all(kRecords);
    for (int64_t i = 0; i < kRecords; ++i) all[static_cast<size_t>(i)] = i;
    for (int32_t p = 0; p < kPartitions; ++p) {
      INFO("partition " << p);
      CHECK(offsets[p] == all);
    }

    // One connection per lane carries fetches (metadata and offsets share the first); no partition is
    // fetched on two of them, and together they fetch all four.
    const auto by_connection = fetch_log.partitions_by_connection();
    std::string seen;
    for (const auto& [connection, partitions] : by_connection) {
      seen += " connection " + std::to_string(connection) + ":";
      for (const int32_t p : partitions) seen += " " + std::to_string(p);
    }
    INFO("fetched partitions by connection:" << seen);
    CHECK(by_connection.size() == static_cast<size_t>(connections));
    std::multiset<int32_t> fetched;
    for (const auto& [connection, partitions] : by_connection)
      fetched.insert(partitions.begin(), partitions.end());
    CHECK(fetched == std::multiset<int32_t>{0, 1, 2, 3});
  }
}
