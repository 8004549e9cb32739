// Storage faults on a real broker: a partition whose log cannot be trusted goes offline on its own, with the
// file and position in the error; the rest of the topic keeps serving. A torn tail is cut and served. kill -9
// under load (with a segment roll every few batches) loses no acknowledged batch. A partition directory
// removed under a running broker fails that partition's produces, not the others'.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "broker_process.h"
#include "millrace/protocol/byte_order.h"
#include "millrace/protocol/errc.h"
#include "millrace/protocol/record_batch_format.h"
#include "native_requests.h"
#include "temp_dir.h"
#include "wait_until.h"

using namespace millrace;
using namespace millrace::testing;
using namespace std::chrono_literals;

namespace {

constexpr auto kStorageError = static_cast<int32_t>(protocol::errc::kafka_storage_error);

void flip_byte(const std::filesystem::path& file, std::streamoff at) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  REQUIRE(f);
  f.seekg(at);
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x5A);
  f.seekp(at);
  f.write(&c, 1);
}

struct Fetched {
  int32_t error_code = 0;
  std::string payload;  // the batches, as stored
};

Fetched fetch(RawClient& client, const std::string& topic, int32_t partition, int64_t offset) {
  wire::FetchRequest request;
  auto* p = request.add_partitions();
  p->set_topic(topic);
  p->set_partition(partition);
  p->set_fetch_offset(offset);
  p->set_max_bytes(1 << 20);
  RawResponse raw;
  auto response = call<wire::FetchResponse>(client, protocol::ApiKey::fetch, request, {}, &raw);
  return {response.results(0).error_code(), std::move(raw.payload)};
}

int64_t first_base_offset(const std::string& batches) {
  REQUIRE(batches.size() >= protocol::batch_format::kHeaderSize);
  return protocol::load_be<int64_t>(batches.data() + protocol::batch_format::kBaseOffset);
}

std::filesystem::path partition_dir(const BrokerProcess& broker, const std::string& topic,
                                    int32_t partition) {
  return broker.data_dir() / (topic + "-" + std::to_string(partition));
}

// The .log files of a partition directory, in order.
std::vector<std::filesystem::path> segment_logs(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> logs;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".log") logs.push_back(entry.path());
  }
  std::sort(logs.begin(), logs.end());
  return logs;
}

// Byte positions where each batch of a .log file starts.
std::vector<int64_t> batch_starts(const std::filesystem::path& log) {
  std::ifstream in(log, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<int64_t> starts;
  for (size_t at = 0; at + protocol::batch_format::kHeaderSize <= bytes.size();) {
    starts.push_back(static_cast<int64_t>(at));
    const auto length = protocol::load_be<int32_t>(bytes.data() + at + protocol::batch_format::kBatchLength);
    at += static_cast<size_t>(length) + protocol::batch_format::kLogOverhead;
  }
  return starts;
}

// Makes the directory look like after a crash with nothing flushed: no marker, no recovery point.
void forget_clean_shutdown(const std::filesystem::path& dir) {
  std::filesystem::remove(dir / ".clean-shutdown");
  std::filesystem::remove(dir / "recovery-point");
}

}  // namespace

TEST_CASE("corruption inside a sealed segment takes only that partition offline") {
  TempDir dir;
  BrokerProcess broker(dir.path() / "data");
  broker.start();
  {
    RawClient client(broker.port());
    REQUIRE(create_topic(client, "sensors", 2, {{"segment.bytes", "4096"}}).error_code() == 0);
    for (int i = 0; i < 12; ++i) {
      for (int p = 0; p < 2; ++p) {
        Buffer batch = make_batch(5, std::string(100, 'a' + static_cast<char>(p)));
        REQUIRE(produce(client, "sensors", p, batch).error_code() == 0);
      }
    }
  }
  REQUIRE(broker.stop() == 0);

  // Damage a record inside the first (sealed) segment of partition 0, and remove what lets a restart trust
  // the log without reading it, as after a crash with nothing flushed.
  const auto p0 = dir.path() / "data" / "sensors-0";
  const auto first_log = p0 / "00000000000000000000.log";
  REQUIRE(std::filesystem::file_size(first_log) > 1000);
  flip_byte(first_log, static_cast<std::streamoff>(protocol::batch_format::kHeaderSize + 700));
  std::filesystem::remove(p0 / ".clean-shutdown");
  std::filesystem::remove(p0 / "recovery-point");

  broker.start();
  RawClient client(broker.port());
  auto desc = describe_topic(client, "sensors");
  REQUIRE(desc.partitions_size() == 2);
  CHECK(desc.partitions(0).error_code() == static_cast<int32_t>(protocol::errc::kafka_storage_error));
  CHECK(desc.partitions(0).error_message().find("00000000000000000000.log") != std::string::npos);
  CHECK(desc.partitions(1).error_code() == 0);
  CHECK(desc.partitions(1).log_end_offset() == 60);

  // Partition 0 refuses reads and writes with the storage error; partition 1 carries on.
  Buffer batch = make_batch(1);
  CHECK(produce(client, "sensors", 0, batch).error_code() ==
        static_cast<int32_t>(protocol::errc::kafka_storage_error));
  CHECK(produce(client, "sensors", 1, batch).base_offset() == 60);
  wire::FetchRequest fetch;
  auto* fp = fetch.add_partitions();
  fp->set_topic("sensors");
  fp->set_partition(0);
  fp->set_max_bytes(1 << 20);
  auto fetched = call<wire::FetchResponse>(client, protocol::ApiKey::fetch, fetch);
  CHECK(fetched.results(0).error_code() == static_cast<int32_t>(protocol::errc::kafka_storage_error));
  CHECK(fetched.results(0).records_bytes() == 0);  // no byte of the damaged log is served

  wire::MetadataRequest meta;
  auto metadata = call<wire::MetadataResponse>(client, protocol::ApiKey::metadata, meta);
  REQUIRE(metadata.topics_size() == 1);
  CHECK(metadata.topics(0).partitions(0).error_code() ==
        static_cast<int32_t>(protocol::errc::kafka_storage_error));
  CHECK(metadata.topics(0).partitions(1).error_code() == 0);
  CHECK(broker.log().find("00000000000000000000.log") != std::string::npos);  // the log names the file
}

TEST_CASE(
    "a corrupted batch in the middle of the last segment is reported, not truncated, repaired, it serves") {
  TempDir dir;
  BrokerProcess broker(dir.path() / "data");
  broker.start();
  {
    RawClient client(broker.port());
    REQUIRE(create_topic(client, "events", 2).error_code() == 0);
    for (int i = 0; i < 10; ++i) {
      for (int p = 0; p < 2; ++p) REQUIRE(produce(client, "events", p, make_batch(3)).error_code() == 0);
    }
  }
  REQUIRE(broker.stop() == 0);
  const auto p0 = partition_dir(broker, "events", 0);
  const auto log = segment_logs(p0).back();
  const auto starts = batch_starts(log);
  REQUIRE(starts.size() == 10);
  const auto size = std::filesystem::file_size(log);
  flip_byte(log, starts[4] + 70);  // a record byte of batch 4 of 10
  forget_clean_shutdown(p0);       // so that the restart validates every batch

  broker.start();
  {
    RawClient client(broker.port());
    auto desc = describe_topic(client, "events");
    CHECK(desc.partitions(0).error_code() == kStorageError);
    CHECK_THAT(desc.partitions(0).error_message(), Catch::Contains(log.filename().string()) &&
                                                       Catch::Contains("byte " + std::to_string(starts[4])));
    CHECK(desc.partitions(1).log_end_offset() == 30);
    CHECK(produce(client, "events", 1, make_batch(1)).error_code() == 0);
  }
  REQUIRE(broker.stop() == 0);
  CHECK(std::filesystem::file_size(log) == size);  // the five good batches after the damage are still there

  flip_byte(log, starts[4] + 70);  // an operator restores the byte (say, from a replica)
  broker.start();
  RawClient client(broker.port());
  auto desc = describe_topic(client, "events");
  CHECK(desc.partitions(0).error_code() == 0);
  CHECK(desc.partitions(0).log_end_offset() == 30);
  CHECK(first_base_offset(fetch(client, "events", 0, 27).payload) == 27);
}

TEST_CASE("a torn tail is truncated and the partition serves and takes writes") {
  TempDir dir;
  BrokerProcess broker(dir.path() / "data");
  broker.start();
  {
    RawClient client(broker.port());
    REQUIRE(create_topic(client, "events", 1).error_code() == 0);
    for (int i = 0; i < 6; ++i) REQUIRE(produce(client, "events", 0, make_batch(2)).error_code() == 0);
  }
  REQUIRE(broker.stop() == 0);
  const auto p0 = partition_dir(broker, "events", 0);
  const auto log = segment_logs(p0).back();
  const auto starts = batch_starts(log);
  REQUIRE(starts.size() == 6);
  std::filesystem::resize_file(log, static_cast<uintmax_t>(starts[5] + 30));  // the last write was torn
  forget_clean_shutdown(p0);

  broker.start();
  RawClient client(broker.port());
  auto desc = describe_topic(client, "events");
  CHECK(desc.partitions(0).error_code() == 0);
  CHECK(desc.partitions(0).log_end_offset() == 10);
  CHECK(produce(client, "events", 0, make_batch(2)).base_offset() == 10);
  CHECK(first_base_offset(fetch(client, "events", 0, 10).payload) == 10);
  CHECK(broker.log().find("torn tail") != std::string::npos);
}

TEST_CASE("kill -9 during appends and segment rolls loses no acknowledged batch") {
  TempDir dir;
  BrokerProcess broker(dir.path() / "data");
  broker.start();
  {
    RawClient client(broker.port());
    // The smallest segments: with ~230-byte batches a segment rolls every four appends.
    REQUIRE(create_topic(client, "rolling", 2, {{"segment.bytes", "1024"}}).error_code() == 0);
  }
  std::map<std::pair<int32_t, int64_t>, std::string>
      acked;  // (partition, base offset) -> batch after the offset
  for (int round = 0; round < 3; ++round) {
    CAPTURE(round);
    std::mutex mutex;
    std::atomic<bool> stop{false};
    std::atomic<int> acked_this_round{0};
    std::thread load([&] {
      try {
        RawClient client(broker.port(), 5s);
        for (int i = 0; !stop; ++i) {
          const int32_t partition = i % 2;
          Buffer batch = make_batch(
              4, "round" + std::to_string(round) + "-" + std::to_string(i) + "-" + std::string(20, 'x'));
          const auto result = produce(client, "rolling", partition, batch);
          if (result.error_code() != 0) break;
          std::lock_guard lock(mutex);
          acked[{partition, result.base_offset()}] = std::string(batch.data() + 8, batch.size() - 8);
          ++acked_this_round;
        }
      } catch (const std::exception&) {
        // the broker died under us: expected
      }
    });
    const bool loaded = wait_until([&] { return acked_this_round >= 40; }, 60s);
    broker.kill9();
    stop = true;
    load.join();
    REQUIRE(loaded);

    broker.start();
    RawClient client(broker.port());
    auto desc = describe_topic(client, "rolling");
    for (int32_t p = 0; p < 2; ++p) {
      CAPTURE(p);
      REQUIRE(desc.partitions(p).error_code() == 0);
      CHECK(desc.partitions(p).segment_count() > 3);
    }
    std::lock_guard lock(mutex);
    for (const auto& [where, bytes] : acked) {
      const auto [partition, base] = where;
      CAPTURE(partition, base);
      REQUIRE(base < desc.partitions(partition).log_end_offset());
      const Fetched got = fetch(client, "rolling", partition, base);
      REQUIRE(got.error_code == 0);
      REQUIRE(got.payload.size() >= bytes.size() + 8);
      CHECK(first_base_offset(got.payload) == base);
      CHECK(got.payload.compare(8, bytes.size(), bytes) == 0);
    }
  }
  CHECK(broker.log().find("offline") == std::string::npos);
}

TEST_CASE("a partition directory removed under a running broker fails that partition, not the others") {
  TempDir dir;
  BrokerProcess broker(dir.path() / "data");
  broker.start();
  RawClient client(broker.port());
  REQUIRE(create_topic(client, "events", 2).error_code() == 0);
  for (int p = 0; p < 2; ++p) REQUIRE(produce(client, "events", p, make_batch(2)).error_code() == 0);

  std::filesystem::remove_all(partition_dir(broker, "events", 0));
  // Writes into the deleted files would land in the page cache and survive nothing: the fsync notices.
  const auto lost = produce(client, "events", 0, make_batch(2));
  CHECK(lost.error_code() == kStorageError);
  CHECK(produce(client, "events", 0, make_batch(2), 1).error_code() == kStorageError);  // refused from now on

  CHECK(produce(client, "events", 1, make_batch(2)).base_offset() == 2);
  const Fetched other = fetch(client, "events", 1, 0);
  CHECK(other.error_code == 0);
  CHECK(first_base_offset(other.payload) == 0);
  CHECK(broker.running());
  CHECK(broker.log().find("refuses writes after a failed fsync") != std::string::npos);
}
