// The client library against a real broker: bulk produce and consume in order, and durability of every
// acknowledged record across a clean restart and a kill -9 in the middle of a produce load.
#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "acked_records.h"
#include "broker_process.h"
#include "consume_all.h"
#include "millrace/client/admin.h"
#include "millrace/client/consumer.h"
#include "millrace/client/producer.h"
#include "temp_dir.h"
#include "wait_until.h"

using namespace millrace;
using namespace millrace::client;
using namespace millrace::testing;
using namespace std::chrono_literals;

namespace {

ConnectionConfig connection_to(const BrokerProcess& broker) {
  ConnectionConfig c;
  c.bootstrap = broker.bootstrap();
  c.request_timeout_ms = 10000;
  return c;
}

void create_topic(const BrokerProcess& broker, const std::string& name, int32_t partitions) {
  auto admin = Admin::create(connection_to(broker));
  REQUIRE(admin.ok());
  auto st = (*admin)->create_topic(name, partitions);
  INFO((st.ok() ? std::string() : st.error().to_string()));
  REQUIRE(st.ok());
}

// Everything from the beginning of every partition of `topic`, until `expected` records or the deadline.
std::vector<ConsumerRecord> consume_all(const BrokerProcess& broker, const std::string& topic,
                                        size_t expected, std::chrono::seconds deadline = 120s) {
  return testing::consume_all(connection_to(broker), topic, expected, deadline);
}

// Records stored in `topic`: the sum of its partitions' latest offsets (no retention yet, logs start at 0).
size_t total_records(const BrokerProcess& broker, const std::string& topic) {
  auto admin = Admin::create(connection_to(broker));
  REQUIRE(admin.ok());
  auto ends = (*admin)->list_offsets(topic, OffsetSpec::latest);
  REQUIRE(ends.ok());
  size_t total = 0;
  for (const auto& [tp, offset] : *ends) total += static_cast<size_t>(offset.value);
  return total;
}

using Acked = AckedRecords;

// Every acknowledged value is present at the offset it was acknowledged with.
void check_every_acked_record_readable(Acked& acked, const std::vector<ConsumerRecord>& records) {
  std::map<std::pair<int32_t, int64_t>, std::string> read;
  for (const auto& r : records) read[{r.partition.value, r.offset.value}] = r.value.value_or("<null>");
  std::lock_guard lock(acked.mutex);
  size_t missing = 0;
  for (const auto& [value, where] : acked.by_value) {
    auto it = read.find(where);
    if (it == read.end() || it->second != value) ++missing;
  }
  INFO("acknowledged " << acked.by_value.size() << ", read " << records.size());
  CHECK(missing == 0);
}

// Reads `topic` again through poll_views, keeping every ConsumerRecords until the consumer is gone, and
// checks the views against what poll() returned.
void check_views_match(const BrokerProcess& broker, const std::string& topic,
                       const std::vector<ConsumerRecord>& expected) {
  std::map<std::pair<int32_t, int64_t>, const ConsumerRecord*> by_position;
  for (const auto& r : expected) by_position[{r.partition.value, r.offset.value}] = &r;
  ConsumerConfig config;
  config.connection = connection_to(broker);
  config.auto_offset_reset = OffsetReset::earliest;
  config.fetch_max_wait_ms = 100;
  auto consumer = Consumer::create(config);
  REQUIRE(consumer.ok());
  REQUIRE((*consumer)->assign_topic(topic).ok());
  std::vector<ConsumerRecords> kept;
  size_t seen = 0;
  const auto end = std::chrono::steady_clock::now() + 60s;
  while (seen < expected.size() && std::chrono::steady_clock::now() < end) {
    auto batch = (*consumer)->poll_views(200ms);
    REQUIRE(batch.ok());
    seen += batch->size();
    kept.push_back(std::move(*batch));
  }
  consumer->reset();  // the views must outlive the consumer
  size_t wrong = 0;
  for (const auto& batch : kept) {
    for (const ConsumerRecordView& v : batch) {
      auto it = by_position.find({v.partition.value, v.offset.value});
      if (it == by_position.end() || v.topic != topic || v.key != it->second->key ||
          v.value != it->second->value || !v.headers.empty()) {
        ++wrong;
      }
    }
  }
  CHECK(seen == expected.size());
  CHECK(wrong == 0);
}

}  // namespace

TEST_CASE("100000 records over 8 partitions come back complete and in order per partition") {
  TempDir dir;
  BrokerProcess broker(dir.path() / "data");
  broker.start();
  create_topic(broker, "load", 8);

  constexpr int kRecords = 100'000;
  constexpr int kKeys = 1000;
  ProducerConfig config;
  config.connection = connection_to(broker);
  auto producer = Producer::create(config);
  REQUIRE(producer.ok());
  Acked acked;
  std::map<int, int> next_seq;
  for (int i = 0; i < kRecords; ++i) {
    const int key = i % kKeys;
    ProducerRecord record;
    record.topic = "load";
    record.key = "key-" + std::to_string(key);
    record.value = record.key.value() + ":" + std::to_string(next_seq[key]++);
    const std::string value = *record.value;
    REQUIRE((*producer)->send(std::move(record), acked.callback(value)).ok());
  }
  (*producer)->flush();
  CHECK(acked.failed == 0);
  REQUIRE(acked.ok == kRecords);

  auto records = consume_all(broker, "load", kRecords);
  REQUIRE(records.size() == kRecords);
  std::map<int32_t, int64_t> next_offset;
  std::map<std::string, int> last_seq;
  std::set<int32_t> partitions_seen;
  std::map<std::string, int32_t> partition_of_key;
  for (const auto& r : records) {
    partitions_seen.insert(r.partition.value);
    // Offsets within a partition are contiguous from 0: nothing lost, nothing duplicated.
    CHECK(r.offset.value == next_offset[r.partition.value]++);
    // Per key (hence per partition), values arrive in the order they were sent.
    const std::string& v = *r.value;
    const auto colon = v.find(':');
    const std::string key = v.substr(0, colon);
    const int seq = std::stoi(v.substr(colon + 1));
    auto it = last_seq.find(key);
    CHECK(seq == (it == last_seq.end() ? 0 : it->second + 1));
    last_seq[key] = seq;
    CHECK(r.key == key);
    auto [p, inserted] = partition_of_key.emplace(key, r.partition.value);
    CHECK(p->second == r.partition.value);  // a key always lands on one partition
  }
  CHECK(partitions_seen.size() == 8);
  check_every_acked_record_readable(acked, records);
  check_views_match(broker, "load", records);
}

TEST_CASE("a clean restart keeps every acknowledged record") {
  TempDir dir;
  BrokerProcess broker(dir.path() / "data");
  broker.start();
  create_topic(broker, "durable", 3);
  Acked acked;
  {
    ProducerConfig config;
    config.connection = connection_to(broker);
    auto producer = Producer::create(config);
    REQUIRE(producer.ok());
    for (int i = 0; i < 10'000; ++i) {
      ProducerRecord record{"durable", std::nullopt, std::nullopt, "v" + std::to_string(i), {}, std::nullopt};
      REQUIRE((*producer)->send(std::move(record), acked.callback("v" + std::to_string(i))).ok());
    }
    (*producer)->flush();
    REQUIRE(acked.ok == 10'000);
  }
  REQUIRE(broker.stop() == 0);
  broker.start();
  auto records = consume_all(broker, "durable", 10'000);
  CHECK(records.size() == 10'000);
  check_every_acked_record_readable(acked, records);
}

TEST_CASE("kill -9 in the middle of a produce load loses no acknowledged record") {
  TempDir dir;
  BrokerProcess broker(dir.path() / "data");
  broker.start();
  create_topic(broker, "crash", 4);

  ProducerConfig config;
  config.connection = connection_to(broker);
  config.delivery_timeout_ms = 5000;
  config.connection.request_timeout_ms = 2000;
  auto producer = Producer::create(config);
  REQUIRE(producer.ok());
  Acked acked;
  std::atomic<bool> stop{false};
  std::atomic<int> sent{0};
  std::thread load([&] {
    for (int i = 0; !stop; ++i) {
      const std::string value = "crash-" + std::to_string(i);
      ProducerRecord record{"crash", std::nullopt, "k" + std::to_string(i % 97), value, {}, std::nullopt};
      if (!(*producer)->send(std::move(record), acked.callback(value)).ok()) break;
      ++sent;
    }
  });
  // Kill while records are streaming in: once enough are acknowledged to make the check meaningful.
  const bool loaded = wait_until([&] { return acked.ok >= 20'000; }, 60s);
  broker.kill9();
  stop = true;
  load.join();
  (*producer)->close(3s);
  REQUIRE(loaded);
  INFO("sent " << sent << ", acknowledged " << acked.ok << ", failed " << acked.failed);
  CHECK(acked.ok < static_cast<size_t>(sent.load()));  // the kill really happened mid-load

  broker.start();
  // Read every partition to its end: the log also holds records written but never acknowledged.
  const size_t stored = total_records(broker, "crash");
  CHECK(stored >= acked.by_value.size());
  auto records = consume_all(broker, "crash", stored, 60s);
  CHECK(records.size() == stored);
  check_every_acked_record_readable(acked, records);
}
