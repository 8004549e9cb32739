// The .timeindex: format, lookup by timestamp, persistence, rebuild, and truncation.
#include "time_index.h"
#include "storage_test_support.h"

using namespace millrace;
using namespace millrace::storage;
using namespace millrace::storage::test;

namespace {

constexpr int64_t kT0 = 1'750'000'000'000;

LogConfig config() {
  LogConfig c;
  c.segment_bytes = 8192;
  c.index_interval_bytes = 512;
  return c;
}

// 60 batches of 5 records; batch b's records have timestamps kT0 + 10*b + i (i < 5), so record offset
// 5*b + i has timestamp kT0 + 10*b + i.
void fill(PartitionLog& log) {
  for (int b = 0; b < 60; ++b) append(log, make_batch_at(5, 50, kT0 + 10 * b));
}

// The answer a linear scan gives: first offset with timestamp >= ts.
std::optional<int64_t> expected_offset(int64_t ts) {
  for (int64_t off = 0; off < 300; ++off) {
    const int64_t record_ts = kT0 + 10 * (off / 5) + off % 5;
    if (record_ts >= ts) return off;
  }
  return std::nullopt;
}

void check_lookups(const PartitionLog& log) {
  for (int64_t ts = kT0 - 5; ts <= kT0 + 600; ts += 3) {
    auto found = log.offset_for_timestamp(ts);
    REQUIRE(found.ok());
    const auto expected = expected_offset(ts);
    INFO("timestamp " << ts);
    REQUIRE(found->has_value() == expected.has_value());
    if (expected) CHECK((*found)->value == *expected);
  }
}

}  // namespace

TEST_CASE("TimeIndex entries round-trip and malformed files are refused") {
  TimeIndex index(100);
  index.on_batch(0, 0, 1000);
  index.on_batch(5, 150, 900);   // older: no entry
  index.on_batch(9, 300, 1200);  // due and grown
  index.on_batch(12, 450, 1300);
  REQUIRE(index.entry_count() >= 1);
  CHECK(index.max_timestamp_ms() == 1300);
  auto decoded = TimeIndex::decode(index.encode_all(), 100, 20);
  REQUIRE(decoded);
  CHECK(decoded->entry_count() == index.entry_count());
  CHECK(decoded->last().timestamp_ms == index.last().timestamp_ms);
  CHECK(decoded->lookup_before(1250).timestamp_ms < 1250);
  CHECK(decoded->lookup_before(0).timestamp_ms == -1);  // nothing older: the segment start

  Buffer bad = index.encode_all();
  bad.pop_back();
  CHECK_FALSE(TimeIndex::decode(bad, 100, 20));
  CHECK_FALSE(TimeIndex::decode(index.encode_all(), 100, 5));  // an entry past the segment's offsets
}

TEST_CASE("offset_for_timestamp finds the first record at or after a timestamp, across segments") {
  TempDir dir;
  auto log = open_log(dir.path(), config());
  fill(*log);
  REQUIRE(log->segment_count() > 2);
  check_lookups(*log);
}

TEST_CASE("time indexes survive a clean restart and a crash, and are rebuilt when missing or damaged") {
  TempDir dir;
  {
    auto log = open_log(dir.path(), config());
    fill(*log);
    SECTION("clean close") {
      REQUIRE(log->close().ok());
    }
    SECTION("crash: no close") {}
  }
  SECTION("as left") {}
  SECTION("every .timeindex deleted") {
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
      if (e.path().extension() == ".timeindex") std::filesystem::remove(e.path());
    }
  }
  SECTION("a .timeindex with garbage") {
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
      if (e.path().extension() == ".timeindex") std::ofstream(e.path(), std::ios::app) << "xyz";
    }
  }
  auto log = open_log(dir.path(), config());
  check_lookups(*log);
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    if (e.path().extension() != ".log") continue;
    auto time_index = e.path();
    time_index.replace_extension(".timeindex");
    CHECK(std::filesystem::exists(time_index));
  }
}

TEST_CASE("truncation cuts the time index with the log") {
  TempDir dir;
  auto log = open_log(dir.path(), config());
  fill(*log);
  REQUIRE(log->truncate_to(Offset{100}).ok());  // batch 20 starts at offset 100
  auto after_end = log->offset_for_timestamp(kT0 + 10 * 20);
  REQUIRE(after_end.ok());
  CHECK_FALSE(after_end->has_value());
  auto inside = log->offset_for_timestamp(kT0 + 10 * 19 + 2);
  REQUIRE(inside.ok());
  REQUIRE(inside->has_value());
  CHECK((*inside)->value == 97);
  // New batches with new timestamps are found again.
  append(*log, make_batch_at(5, 50, kT0 + 5000));
  auto appended = log->offset_for_timestamp(kT0 + 4000);
  REQUIRE(appended.ok());
  REQUIRE(appended->has_value());
  CHECK((*appended)->value == 100);
  REQUIRE(log->close().ok());
  log.reset();
  auto reopened = open_log(dir.path(), config());
  auto again = reopened->offset_for_timestamp(kT0 + 4000);
  REQUIRE(again.ok());
  CHECK(again->value_or(Offset{-1}) == Offset{100});
}
