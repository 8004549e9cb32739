#include "latency_floor.h"

#include <catch2/catch.hpp>
#include <filesystem>

#include "temp_dir.h"

using millrace::ingestfloor::LatencyFloorOptions;
using millrace::ingestfloor::measure_latency_floor;
using millrace::testing::TempDir;

namespace {

LatencyFloorOptions small_run(const TempDir& dir) {
  LatencyFloorOptions options;
  options.records_per_second = 20'000;
  options.records = 6'000;  // 0.3 s of schedule
  options.record_bytes = 100;
  options.partitions = 3;
  options.directory = dir.path().string();
  options.warmup_bytes = 0;
  return options;
}

}  // namespace

TEST_CASE("The latency floor delivers every record in order, on schedule, and writes each to the files") {
  TempDir dir("latency-floor");
  auto options = small_run(dir);
  options.page_cache_window_bytes = GENERATE(int64_t{0}, int64_t{1} << 20);
  options.warmup_bytes = GENERATE(int64_t{0}, int64_t{3} << 20);  // the measured bytes are checked apart
  auto result = measure_latency_floor(options);
  REQUIRE(result.ok());  // the files held every byte and the records came in order (measure checks)
  CHECK(result->records == 6'000);
  CHECK(result->latency.count() == 6'000);
  CHECK(result->frames >= 2);
  CHECK(result->frames <= 6'000);
  // Paced: the last record is not due before 0.29995 s of schedule, and arrives after that.
  CHECK(result->seconds >= 0.2999);
  CHECK(result->write_seconds > 0);
  CHECK(std::filesystem::is_empty(dir.path()));
}

TEST_CASE("The latency floor's sender waits for the pace step and charges the wait to the latency") {
  TempDir dir("latency-floor");
  auto options = small_run(dir);
  options.records_per_second = 10'000;
  options.records = 2'000;  // 0.2 s of schedule
  options.pace_step_ns = 50'000'000;
  auto result = measure_latency_floor(options);
  REQUIRE(result.ok());
  CHECK(result->records == 2'000);
  // A sender ahead of its schedule sleeps until the next record is due plus one 50 ms step, so most records
  // wait for a wake-up after they were due: the median latency is a good part of a step and the p99 nearly
  // a whole one. A sender that slept until each record was due would have both well under a millisecond on
  // an idle machine. (The frame count is not checked: a sender descheduled for longer than a record's
  // 100 us falls behind and sends what is due in small frames until it is ahead again, so a loaded machine
  // gives anything from 5 to 1,200 frames.)
  CHECK(result->latency.percentile(50) >= 10'000'000);
  CHECK(result->latency.percentile(99) >= 40'000'000);
}

TEST_CASE("The latency floor reports what it cannot do instead of a number") {
  TempDir dir("latency-floor");
  auto options = small_run(dir);
  SECTION("a directory that does not exist") {
    options.directory = (dir.path() / "missing").string();
    auto result = measure_latency_floor(options);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().message.find("missing") != std::string::npos);
  }
  SECTION("no rate") {
    options.records_per_second = 0;
    CHECK_FALSE(measure_latency_floor(options).ok());
  }
  SECTION("records too small for the stamp") {
    options.record_bytes = 15;
    CHECK_FALSE(measure_latency_floor(options).ok());
  }
  SECTION("no records") {
    options.records = 0;
    CHECK_FALSE(measure_latency_floor(options).ok());
  }
  SECTION("a negative page-cache window") {
    options.page_cache_window_bytes = -1;
    CHECK_FALSE(measure_latency_floor(options).ok());
  }
  SECTION("a negative warm-up") {
    options.warmup_bytes = -1;
    CHECK_FALSE(measure_latency_floor(options).ok());
  }
}
