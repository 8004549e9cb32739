// One batch's callbacks: offsets per record on success, the error for every record on failure.
#include <catch2/catch.hpp>
#include <vector>

#include "millrace/protocol/errc.h"
#include "millrace/protocol/record_batch_decoder.h"
#include "producer_batch.h"

using namespace millrace;
using namespace millrace::client;
using namespace millrace::client::internal;

namespace {

const TopicPartition kTp{"orders", PartitionId{2}};

ProducerBatch batch_of(int records, std::vector<DeliveryReport>& reports) {
  ProducerBatch batch(kTp, 1, 0, 16384);
  for (int i = 0; i < records; ++i) {
    protocol::Record r;
    r.key = "k" + std::to_string(i);
    r.value = "v" + std::to_string(i);
    r.timestamp_ms = 1000 + i;
    REQUIRE(batch.fits(protocol::RecordBatchBuilder::record_size_upper_bound(r)));
    batch.append(
        r, PendingRecord{[&reports](const DeliveryReport& d) { reports.push_back(d); }, r.timestamp_ms, 10});
  }
  return batch;
}

}  // namespace

TEST_CASE("a completed batch reports consecutive offsets from the base offset") {
  std::vector<DeliveryReport> reports;
  auto batch = batch_of(3, reports);
  CHECK(batch.reserved_bytes() == 30);
  batch.close();
  batch.complete(Offset{100});
  REQUIRE(reports.size() == 3);
  for (int i = 0; i < 3; ++i) {
    CHECK(reports[i].ok());
    CHECK(reports[i].topic == "orders");
    CHECK(reports[i].partition == PartitionId{2});
    CHECK(reports[i].offset == Offset{100 + i});
    CHECK(reports[i].timestamp_ms == 1000 + i);
  }
}

TEST_CASE("acks=0 deliveries report offset -1") {
  std::vector<DeliveryReport> reports;
  auto batch = batch_of(2, reports);
  batch.close();
  batch.complete(Offset{-1});
  REQUIRE(reports.size() == 2);
  CHECK(reports[0].offset == Offset{-1});
  CHECK(reports[1].offset == Offset{-1});
}

TEST_CASE("a failed batch reports the error for every record") {
  std::vector<DeliveryReport> reports;
  auto batch = batch_of(2, reports);
  batch.fail(make_error(protocol::errc::message_too_large, "too big"));
  REQUIRE(reports.size() == 2);
  for (const auto& r : reports) {
    REQUIRE_FALSE(r.ok());
    CHECK(r.error->code == protocol::errc::message_too_large);
    CHECK(r.offset == Offset{-1});
  }
}

TEST_CASE("a closed batch holds a valid RecordBatch v2 of its records") {
  std::vector<DeliveryReport> reports;
  auto batch = batch_of(4, reports);
  batch.close();
  CHECK_FALSE(batch.is_open());
  CHECK_FALSE(batch.fits(1));
  std::vector<protocol::Record> decoded;
  REQUIRE(protocol::decode_records(batch.bytes(), 0, decoded).ok());
  REQUIRE(decoded.size() == 4);
  CHECK(decoded[3].key == "k3");
  CHECK(decoded[3].offset == 3);
}

TEST_CASE("a throwing callback does not stop the others") {
  int called = 0;
  ProducerBatch batch(kTp, 1, 0, 16384);
  protocol::Record r;
  r.value = "x";
  batch.append(r, PendingRecord{[](const DeliveryReport&) { throw std::runtime_error("user bug"); }, 0, 1});
  batch.append(r, PendingRecord{[&](const DeliveryReport&) { ++called; }, 0, 1});
  batch.close();
  batch.complete(Offset{0});
  CHECK(called == 1);
}
