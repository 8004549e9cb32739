// The broker under bad input: garbage, truncated and oversized frames, corrupt and oversized batches.
// Each must get an error response or a closed connection, leave the broker serving other clients, and
// write nothing to any log.
#include <catch2/catch.hpp>
#include <chrono>

#include "broker_process.h"
#include "millrace/protocol/byte_order.h"
#include "millrace/protocol/errc.h"
#include "millrace/protocol/frame.h"
#include "millrace/protocol/list_offsets.h"
#include "millrace/protocol/record_batch_decoder.h"
#include "millrace/protocol/record_batch_format.h"
#include "native_requests.h"
#include "temp_dir.h"

using namespace millrace;
using namespace millrace::testing;
using protocol::ApiKey;
using protocol::errc;
using namespace std::chrono_literals;

namespace {

constexpr uint32_t kSmallFrameLimit = 1024 * 1024;

struct Fixture {
  TempDir dir;
  BrokerProcess broker{
      dir.path() / "data",
      {"--set", "max_frame_bytes=" + std::to_string(kSmallFrameLimit), "--set", "max_message_bytes=65536"}};
  Fixture() {
    broker.start();
    RawClient admin(broker.port());
    REQUIRE(create_topic(admin, "events", 1).error_code() == 0);
  }
  int64_t end_offset() {
    RawClient c(broker.port());
    return describe_topic(c, "events").partitions(0).log_end_offset();
  }
  // A fresh client can produce and read back: the broker still serves.
  void check_still_serving() {
    RawClient c(broker.port());
    Buffer batch = make_batch(1, "alive");
    auto r = produce(c, "events", 0, batch);
    CHECK(r.error_code() == 0);
  }
};

int32_t error_code_of(const RawResponse& r) {
  wire::ErrorResponse e;
  e.ParseFromString(r.body);
  return e.error_code();
}

}  // namespace

TEST_CASE("garbage bytes close that connection and the broker keeps serving") {
  Fixture f;
  RawClient bad(f.broker.port());
  std::string garbage(4096, '\xAB');
  bad.send_bytes(ByteView(garbage.data(), garbage.size()));
  CHECK(bad.closed_by_peer());
  CHECK(f.end_offset() == 0);
  f.check_still_serving();
  CHECK(f.end_offset() == 1);
}

TEST_CASE("an oversized frame is refused before it is read") {
  Fixture f;
  RawClient bad(f.broker.port());
  char header[16] = {};
  protocol::store_be<uint32_t>(header, kSmallFrameLimit + 1);
  protocol::store_be<uint16_t>(header + 4, static_cast<uint16_t>(ApiKey::produce));
  bad.send_bytes(ByteView(header, sizeof(header)));
  auto response = bad.read_response();
  REQUIRE(response);
  CHECK(response->api_key == static_cast<uint16_t>(ApiKey::error));
  CHECK(error_code_of(*response) == static_cast<int32_t>(errc::invalid_request));
  CHECK(bad.closed_by_peer());
  f.check_still_serving();
}

TEST_CASE("a truncated frame from a client that goes away does no harm") {
  Fixture f;
  {
    RawClient bad(f.broker.port());
    Buffer batch = make_batch(5);
    wire::ProduceRequest req;
    req.set_acks(-1);
    auto* p = req.add_partitions();
    p->set_topic("events");
    p->set_records_bytes(static_cast<uint32_t>(batch.size()));
    Buffer frame;
    protocol::append_frame(frame, ApiKey::produce, 1, req, batch);
    bad.send_bytes(ByteView(frame).first(frame.size() - 3));
  }
  f.check_still_serving();
  CHECK(f.end_offset() == 1);  // only the healthy client's record
}

TEST_CASE("invalid produce requests are refused with Kafka error codes and write nothing") {
  Fixture f;
  RawClient client(f.broker.port());

  SECTION("corrupt batch") {
    Buffer batch = make_batch(3);
    batch.back() ^= 0x5A;
    auto r = produce(client, "events", 0, batch);
    CHECK(r.error_code() == static_cast<int32_t>(errc::corrupt_message));
    CHECK_FALSE(r.error_message().empty());
  }
  SECTION("batch over max_message_bytes") {
    Buffer batch = make_batch(1, std::string(70'000, 'x'));
    auto r = produce(client, "events", 0, batch);
    CHECK(r.error_code() == static_cast<int32_t>(errc::message_too_large));
  }
  SECTION("truncated batch") {
    Buffer batch = make_batch(3);
    batch.resize(batch.size() - 1);
    auto r = produce(client, "events", 0, batch);
    CHECK(r.error_code() == static_cast<int32_t>(errc::corrupt_message));
  }
  SECTION("a good batch followed by a bad one in the same partition data") {
    Buffer good = make_batch(2);
    Buffer bad = make_batch(2);
    bad[protocol::batch_format::kMagic] = 1;
    good.insert(good.end(), bad.begin(), bad.end());
    auto r = produce(client, "events", 0, good);
    CHECK(r.error_code() == static_cast<int32_t>(errc::corrupt_message));
  }
  SECTION("unknown topic and partition") {
    Buffer batch = make_batch(1);
    CHECK(produce(client, "nope", 0, batch).error_code() ==
          static_cast<int32_t>(errc::unknown_topic_or_partition));
    CHECK(produce(client, "events", 7, batch).error_code() ==
          static_cast<int32_t>(errc::unknown_topic_or_partition));
  }
  SECTION("invalid acks") {
    Buffer batch = make_batch(1);
    CHECK(produce(client, "events", 0, batch, 5).error_code() ==
          static_cast<int32_t>(errc::invalid_required_acks));
  }
  SECTION("records_bytes that disagree with the payload") {
    Buffer batch = make_batch(2);
    wire::ProduceRequest req;
    req.set_acks(-1);
    auto* p = req.add_partitions();
    p->set_topic("events");
    p->set_records_bytes(static_cast<uint32_t>(batch.size() + 10));
    REQUIRE(client.send_request(ApiKey::produce, 9, req, batch));
    auto raw = client.read_response();
    REQUIRE(raw);
    CHECK(raw->api_key == static_cast<uint16_t>(ApiKey::error));
    CHECK(error_code_of(*raw) == static_cast<int32_t>(errc::invalid_request));
  }
  SECTION("a body that is not protobuf") {
    Buffer frame(16 + 8, '\xFF');
    protocol::write_frame_header(frame.data(), ApiKey::produce, 77, 8, 0);
    REQUIRE(client.send_bytes(frame));
    auto raw = client.read_response();
    REQUIRE(raw);
    CHECK(raw->correlation_id == 77);
    CHECK(raw->api_key == static_cast<uint16_t>(ApiKey::error));
  }
  CHECK(f.end_offset() == 0);
  f.check_still_serving();
}

TEST_CASE("produce assigns offsets, fetch returns them, list offsets and out-of-range fetches") {
  Fixture f;
  RawClient client(f.broker.port());
  Buffer a = make_batch(3, "a");
  Buffer b = make_batch(2, "b");
  CHECK(produce(client, "events", 0, a).base_offset() == 0);
  CHECK(produce(client, "events", 0, b).base_offset() == 3);

  wire::FetchRequest fetch;
  fetch.set_max_wait_ms(0);
  fetch.set_max_bytes(1 << 20);
  auto* fp = fetch.add_partitions();
  fp->set_topic("events");
  fp->set_fetch_offset(4);
  fp->set_max_bytes(1 << 20);
  RawResponse raw;
  auto resp = call<wire::FetchResponse>(client, ApiKey::fetch, fetch, {}, &raw);
  REQUIRE(resp.results_size() == 1);
  CHECK(resp.results(0).error_code() == 0);
  CHECK(resp.results(0).high_watermark() == 5);
  std::vector<protocol::Record> records;
  REQUIRE(protocol::decode_records(ByteView(raw.payload.data(), raw.payload.size()), 4, records).ok());
  REQUIRE(records.size() == 1);
  CHECK(records[0].offset == 4);
  CHECK(records[0].value == "b1");

  fp->set_fetch_offset(6);
  resp = call<wire::FetchResponse>(client, ApiKey::fetch, fetch);
  CHECK(resp.results(0).error_code() == static_cast<int32_t>(errc::offset_out_of_range));

  wire::ListOffsetsRequest lo;
  auto* e = lo.add_partitions();
  e->set_topic("events");
  e->set_timestamp(protocol::kListOffsetsEarliest);
  auto* l = lo.add_partitions();
  l->set_topic("events");
  l->set_timestamp(protocol::kListOffsetsLatest);
  auto offsets = call<wire::ListOffsetsResponse>(client, ApiKey::list_offsets, lo);
  CHECK(offsets.results(0).offset() == 0);
  CHECK(offsets.results(1).offset() == 5);
}

TEST_CASE("a long-poll fetch returns as soon as data arrives") {
  Fixture f;
  RawClient consumer(f.broker.port());
  wire::FetchRequest fetch;
  fetch.set_max_wait_ms(30'000);
  fetch.set_min_bytes(1);
  auto* fp = fetch.add_partitions();
  fp->set_topic("events");
  fp->set_fetch_offset(0);
  fp->set_max_bytes(1 << 20);
  REQUIRE(consumer.send_request(ApiKey::fetch, 5, fetch));
  const auto started = std::chrono::steady_clock::now();
  RawClient producer(f.broker.port());
  Buffer batch = make_batch(1, "wake");
  REQUIRE(produce(producer, "events", 0, batch).error_code() == 0);
  auto raw = consumer.read_response();
  REQUIRE(raw);
  wire::FetchResponse resp;
  REQUIRE(resp.ParseFromString(raw->body));
  CHECK(resp.results(0).records_bytes() == batch.size());
  // Woken by the produce, long before max_wait_ms.
  CHECK(std::chrono::steady_clock::now() - started < 20s);
}

TEST_CASE("pipelined requests are answered in order") {
  Fixture f;
  RawClient client(f.broker.port());
  constexpr int kRequests = 300;  // more than max_in_flight_requests_per_connection (100)
  Buffer all;
  for (int i = 0; i < kRequests; ++i) {
    Buffer batch = make_batch(1, "p" + std::to_string(i));
    wire::ProduceRequest req;
    req.set_acks(i % 2 == 0 ? -1 : 1);
    auto* p = req.add_partitions();
    p->set_topic("events");
    p->set_records_bytes(static_cast<uint32_t>(batch.size()));
    protocol::append_frame(all, ApiKey::produce, static_cast<uint32_t>(i), req, batch);
  }
  REQUIRE(client.send_bytes(all));
  for (int i = 0; i < kRequests; ++i) {
    auto raw = client.read_response();
    INFO("response " << i);
    REQUIRE(raw);
    CHECK(raw->correlation_id == static_cast<uint32_t>(i));
    wire::ProduceResponse resp;
    REQUIRE(resp.ParseFromString(raw->body));
    CHECK(resp.results(0).base_offset() == i);
  }
}
