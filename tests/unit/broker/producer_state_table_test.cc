// The sequence rules of ProducerStateTable, one by one.
#include <catch2/catch.hpp>
#include <limits>

#include "millrace/broker/producer_state_table.h"
#include "millrace/protocol/errc.h"

using namespace millrace;
using namespace millrace::broker;
using protocol::errc;

namespace {

ProducerBatchInfo batch(int64_t id, int16_t epoch, int32_t first, int32_t count,
                        int64_t timestamp_ms = 1000) {
  ProducerBatchInfo b;
  b.producer_id = id;
  b.epoch = epoch;
  b.first_sequence = first;
  b.last_sequence = advance_sequence(first, count - 1);
  b.max_timestamp_ms = timestamp_ms;
  return b;
}

// Checks and records `b` at `offset` as the partition would; returns where it went.
int64_t append(ProducerStateTable& table, const ProducerBatchInfo& b, int64_t& log_end) {
  auto checked = table.check(b);
  REQUIRE(checked.ok());
  REQUIRE_FALSE(checked->duplicate);
  const int64_t first = log_end;
  const int64_t count = int64_t{b.last_sequence} - b.first_sequence + 1;
  log_end += count;
  table.record(b, Offset{first}, Offset{log_end - 1});
  return first;
}

errc refusal(const ProducerStateTable& table, const ProducerBatchInfo& b) {
  auto checked = table.check(b);
  REQUIRE_FALSE(checked.ok());
  return static_cast<errc>(checked.error().code.value());
}

}  // namespace

TEST_CASE("a batch without a producer id bypasses every check and is not remembered") {
  ProducerStateTable table;
  ProducerBatchInfo plain;  // producer id -1
  auto checked = table.check(plain);
  REQUIRE(checked.ok());
  CHECK_FALSE(checked->duplicate);
  table.record(plain, Offset{0}, Offset{3});
  CHECK(table.producers().empty());
}

TEST_CASE("the first batch of a producer must start at sequence 0") {
  ProducerStateTable table;
  CHECK(table.check(batch(7, 0, 0, 3)).ok());
  CHECK(refusal(table, batch(7, 0, 5, 3)) == errc::unknown_producer_id);
}

TEST_CASE("in-order batches are appended, a gap or a step back is out of order") {
  ProducerStateTable table;
  int64_t end = 0;
  append(table, batch(7, 0, 0, 3), end);
  append(table, batch(7, 0, 3, 2), end);
  CHECK(refusal(table, batch(7, 0, 6, 1)) == errc::out_of_order_sequence_number);  // gap: 5 is missing
  CHECK(refusal(table, batch(7, 0, 4, 1)) == errc::out_of_order_sequence_number);  // overlaps, not equal
  CHECK(table.check(batch(7, 0, 5, 1)).ok());
}

TEST_CASE("a retry of each of the last five batches is a duplicate answered with its offsets") {
  ProducerStateTable table;
  int64_t end = 100;
  std::vector<int64_t> offsets;
  for (int i = 0; i < 7; ++i) offsets.push_back(append(table, batch(7, 0, i * 2, 2), end));
  for (int i = 2; i < 7; ++i) {
    auto checked = table.check(batch(7, 0, i * 2, 2));
    REQUIRE(checked.ok());
    REQUIRE(checked->duplicate);
    CHECK(checked->duplicate->first_offset == Offset{offsets[static_cast<size_t>(i)]});
    CHECK(checked->duplicate->last_offset == Offset{offsets[static_cast<size_t>(i)] + 1});
  }
  // Older than the retained five: no longer recognisable, refused rather than written twice.
  CHECK(refusal(table, batch(7, 0, 2, 2)) == errc::out_of_order_sequence_number);
  CHECK(table.producers().at(7).batches.size() == kProducerBatchesRetained);
}

TEST_CASE("an older epoch is fenced, a newer epoch resets sequences to 0") {
  ProducerStateTable table;
  int64_t end = 0;
  append(table, batch(7, 1, 0, 5), end);
  CHECK(refusal(table, batch(7, 0, 5, 1)) == errc::invalid_producer_epoch);
  CHECK(refusal(table, batch(7, 2, 5, 1)) == errc::out_of_order_sequence_number);
  append(table, batch(7, 2, 0, 1), end);
  CHECK(table.producers().at(7).epoch == 2);
  CHECK(table.producers().at(7).batches.size() == 1);
  CHECK(refusal(table, batch(7, 1, 5, 1)) == errc::invalid_producer_epoch);
}

TEST_CASE("producers are independent") {
  ProducerStateTable table;
  int64_t end = 0;
  append(table, batch(1, 0, 0, 2), end);
  append(table, batch(2, 0, 0, 2), end);
  append(table, batch(1, 0, 2, 2), end);
  auto dup = table.check(batch(2, 0, 0, 2));
  REQUIRE(dup.ok());
  REQUIRE(dup->duplicate);
  CHECK(dup->duplicate->first_offset == Offset{2});
}

TEST_CASE("sequences wrap from INT32_MAX to 0") {
  ProducerStateTable table;
  const int32_t max = std::numeric_limits<int32_t>::max();
  ProducerEntry entry;
  entry.batches.push_back({max - 9, max - 1, Offset{0}, Offset{8}});
  table.restore(7, entry);
  const ProducerBatchInfo wrapping = batch(7, 0, max, 3);  // max, 0, 1
  CHECK(wrapping.last_sequence == 1);
  int64_t end = 9;
  append(table, wrapping, end);
  CHECK(table.check(batch(7, 0, 2, 1)).ok());
}

TEST_CASE("producers idle past the expiration time are forgotten") {
  ProducerStateTable table;
  int64_t end = 0;
  append(table, batch(1, 0, 0, 1, 1'000), end);
  append(table, batch(2, 0, 0, 1, 5'000), end);
  CHECK(table.expire(10'999, 10'000) == 0);
  CHECK(table.expire(11'000, 10'000) == 1);
  CHECK_FALSE(table.producers().contains(1));
  CHECK(table.producers().contains(2));
  // Forgotten: its next batch is no longer known to be in order.
  CHECK(refusal(table, batch(1, 0, 1, 1)) == errc::unknown_producer_id);
}

TEST_CASE("an idempotent batch with a negative sequence or epoch is invalid") {
  ProducerStateTable table;
  CHECK(refusal(table, batch(7, 0, -1, 1)) == errc::invalid_record);
  CHECK(refusal(table, batch(7, -1, 0, 1)) == errc::invalid_record);
}
