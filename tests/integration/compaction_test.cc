// Log compaction on a real broker: a compacted topic keeps the latest value of every key at its original
// offset, tombstones go after delete.retention.ms (and not before), and kill -9 in the middle of a cleaning
// pass loses and duplicates nothing.
#include <catch2/catch.hpp>

#include <map>
#include <optional>
#include <set>
#include <thread>

#include "broker_process.h"
#include "millrace/client/consumer.h"
#include "millrace/protocol/record_batch_builder.h"
#include "native_requests.h"
#include "temp_dir.h"
#include "wait_until.h"

using namespace millrace;
using namespace millrace::testing;
using namespace std::chrono_literals;

namespace {

struct Written {
  std::string key;
  std::optional<std::string> value;
};
using Log = std::map<int64_t, Written>;  // offset -> record

// Produces one batch of (key, value) records; returns the offsets it got in `log`.
void produce_records(RawClient& client, const std::string& topic, const std::vector<Written>& records,
                     Log& log) {
  protocol::RecordBatchBuilder builder;
  for (const auto& r : records) {
    protocol::Record record;
    record.key = r.key;
    record.value = r.value;
    record.timestamp_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
    builder.append(record);
  }
  Buffer batch = builder.build();
  const auto result = produce(client, topic, 0, batch);
  REQUIRE(result.error_code() == 0);
  for (size_t i = 0; i < records.size(); ++i)
    log[result.base_offset() + static_cast<int64_t>(i)] = records[i];
}

int64_t high_watermark(uint16_t port, const std::string& topic) {
  RawClient c(port);
  return describe_topic(c, topic).partitions(0).high_watermark();
}

// Every record of partition 0, read with the client library's Consumer from offset 0 to the high watermark.
Log consume_all(const BrokerProcess& broker, const std::string& topic) {
  const int64_t end = high_watermark(broker.port(), topic);
  client::ConsumerConfig config;
  config.connection.bootstrap = broker.bootstrap();
  auto consumer = client::Consumer::create(config);
  REQUIRE(consumer.ok());
  const client::TopicPartition tp{topic, PartitionId{0}};
  REQUIRE((*consumer)->assign({tp}).ok());
  REQUIRE((*consumer)->seek(tp, Offset{0}).ok());
  Log out;
  REQUIRE(wait_until(
      [&] {
        auto batch = (*consumer)->poll(100ms);
        REQUIRE(batch.ok());
        for (const auto& r : *batch) {
          REQUIRE(out.count(r.offset.value) == 0);  // never twice
          out[r.offset.value] = Written{r.key.value_or(""), r.value};
        }
        auto position = (*consumer)->position(tp);
        return position.ok() && position->value >= end;
      },
      30s));
  return out;
}

// The latest record of every key in `written` (a tombstone only if `keep_tombstones`).
Log latest_per_key(const Log& written, bool keep_tombstones) {
  std::map<std::string, int64_t> latest;
  for (const auto& [offset, r] : written) latest[r.key] = offset;
  Log out;
  for (const auto& [key, offset] : latest) {
    if (written.at(offset).value || keep_tombstones) out[offset] = written.at(offset);
  }
  return out;
}

bool same(const Log& a, const Log& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [offset, r] : a) {
    auto it = b.find(offset);
    if (it == b.end() || it->second.key != r.key || it->second.value != r.value) return false;
  }
  return true;
}

// What a consumer may see at any moment, compacted or not: only records that were written, at their offsets,
// and the latest record of every key that is not a tombstone.
void check_consistent(const Log& seen, const Log& written) {
  for (const auto& [offset, r] : seen) {
    INFO("offset " << offset);
    REQUIRE(written.count(offset) == 1);
    CHECK(written.at(offset).key == r.key);
    CHECK(written.at(offset).value == r.value);
  }
  for (const auto& [offset, r] : latest_per_key(written, false)) {
    INFO("latest of " << r.key << " at " << offset);
    CHECK(seen.count(offset) == 1);
  }
}

bool has_cleaned_file(const std::filesystem::path& partition_dir) {
  std::error_code ec;
  for (std::filesystem::directory_iterator it(partition_dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().filename().string().ends_with(".cleaned")) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("a compacted topic keeps the latest value of every key at its offset, tombstones expire") {
  TempDir dir;
  BrokerProcess broker(dir.path() / "data",
                       {"--set", "cleaner_interval_ms=100", "--set", "retention_check_interval_ms=100"});
  broker.start();
  RawClient client(broker.port());
  // "remembers" keeps tombstones for 10 minutes, "forgets" for half a second.
  REQUIRE(create_topic(
              client, "remembers", 1,
              {{"cleanup.policy", "compact"}, {"segment.bytes", "1024"}, {"delete.retention.ms", "600000"}})
              .error_code() == 0);
  REQUIRE(create_topic(client, "forgets", 1,
                       {{"cleanup.policy", "compact,delete"},
                        {"segment.bytes", "1024"},
                        {"delete.retention.ms", "500"},
                        {"retention.ms", "-1"}})
              .error_code() == 0);
  std::map<std::string, Log> written;
  for (const std::string topic : {"remembers", "forgets"}) {
    for (int i = 0; i < 200; ++i) {
      produce_records(client, topic, {{"k" + std::to_string(i % 10), "v" + std::to_string(i)}},
                      written[topic]);
    }
    produce_records(client, topic, {{"k3", std::nullopt}}, written[topic]);  // delete k3
    // Unique keys after it, enough to push everything above into closed segments.
    for (int i = 0; i < 60; ++i) {
      produce_records(client, topic, {{"unique" + std::to_string(i), "u" + std::to_string(i)}},
                      written[topic]);
    }
  }

  // The superseded values go; the tombstone stays while delete.retention.ms has not passed.
  const Log remembers = latest_per_key(written["remembers"], true);
  REQUIRE(wait_until([&] { return consume_all(broker, "remembers").size() == remembers.size(); }, 30s));
  CHECK(same(consume_all(broker, "remembers"), remembers));
  // In "forgets" the tombstone goes too once it is half a second old.
  const Log forgets = latest_per_key(written["forgets"], false);
  REQUIRE(wait_until([&] { return consume_all(broker, "forgets").size() == forgets.size(); }, 30s));
  CHECK(same(consume_all(broker, "forgets"), forgets));
  // The offsets did not move: the log end is where it was; and retention (which ran meanwhile) deleted
  // nothing.
  CHECK(high_watermark(broker.port(), "remembers") == written["remembers"].rbegin()->first + 1);
  CHECK(describe_topic(client, "remembers").partitions(0).log_start_offset() == 0);

  // Compacted data survives a restart.
  REQUIRE(broker.stop() == 0);
  broker.start();
  CHECK(same(consume_all(broker, "remembers"), remembers));
}

TEST_CASE("kill -9 during a compaction pass loses and duplicates nothing") {
  TempDir dir;
  // A throttled cleaner (about 1 s per pass over this log), so that a kill lands inside a pass.
  BrokerProcess broker(dir.path() / "data",
                       {"--set", "cleaner_interval_ms=50", "--set", "cleaner_io_bytes_per_second=300000",
                        "--set", "cleaner_min_dirty_percent=10"});
  broker.start();
  Log written;
  int produced = 0;
  // 20 batches of 10 records of about 170 bytes over 37 keys: several 8 KiB segments of dirty data.
  auto produce_more = [&] {
    RawClient client(broker.port());
    for (int b = 0; b < 20; ++b) {
      std::vector<Written> batch;
      for (int i = 0; i < 10; ++i, ++produced) {
        batch.push_back({"key" + std::to_string(produced % 37),
                         "value-" + std::to_string(produced) + std::string(150, 'x')});
      }
      produce_records(client, "crashy", batch, written);
    }
  };
  {
    RawClient client(broker.port());
    REQUIRE(create_topic(client, "crashy", 1, {{"cleanup.policy", "compact"}, {"segment.bytes", "8192"}})
                .error_code() == 0);
  }
  produce_more();
  produce_more();
  const std::filesystem::path partition_dir = broker.data_dir() / "crashy-0";
  // Kill at different moments after a pass has started writing cleaned segments.
  for (auto delay : {0ms, 150ms, 400ms, 700ms}) {
    INFO("kill " << delay.count() << " ms after the first .cleaned file");
    produce_more();  // new dirty data, so that a pass is due even if the last one completed
    REQUIRE(wait_until([&] { return has_cleaned_file(partition_dir); }, 30s));
    std::this_thread::sleep_for(delay);  // not a wait for a condition: it picks the moment of the kill
    broker.kill9();
    broker.start();
    const Log seen = consume_all(broker, "crashy");
    check_consistent(seen, written);
    CHECK(high_watermark(broker.port(), "crashy") == written.rbegin()->first + 1);
  }
  // Left alone, the cleaner finishes: exactly the latest value per key (all closed segments are clean).
  REQUIRE(wait_until(
      [&] {
        const Log seen = consume_all(broker, "crashy");
        check_consistent(seen, written);
        return seen.size() < 37 + 60;  // what the active segment may still hold twice
      },
      30s));
  CHECK_FALSE(has_cleaned_file(partition_dir));
}
