#include "ingest_floor.h"

#include <catch2/catch.hpp>
#include <filesystem>

#include "millrace/storage/page_cache_window.h"
#include "temp_dir.h"

using millrace::ingestfloor::IngestFloorOptions;
using millrace::ingestfloor::measure_ingest_floor;
using millrace::storage::PageCacheWindow;
using millrace::testing::TempDir;

namespace {

IngestFloorOptions small_run(const TempDir& dir) {
  IngestFloorOptions options;
  options.total_bytes = 8 * 1024 * 1024 + 5;  // not a whole number of requests
  options.partitions = 4;
  options.write_bytes = 64 * 1024;
  options.directory = dir.path().string();
  return options;
}

constexpr int64_t kMiB = 1 << 20;

}  // namespace

TEST_CASE("The ingest floor writes every whole request it sends and removes its files") {
  TempDir dir("ingest-floor");
  auto options = small_run(dir);
  options.checksums = GENERATE(false, true);
  auto result = measure_ingest_floor(options);
  REQUIRE(result.ok());
  CHECK(result->bytes == 8 * 1024 * 1024);  // 32 requests of 4 x 64 KiB; the 5 left-over bytes are not sent
  CHECK(result->seconds > 0);
  CHECK(result->sender_cpu_s > 0);
  CHECK(result->receiver_cpu_s > 0);
  CHECK(std::filesystem::is_empty(dir.path()));
}

TEST_CASE("With a page-cache window the ingest floor syncs every byte and drops all but the window") {
  TempDir dir("ingest-floor");
  auto options = small_run(dir);
  options.total_bytes = 64 * kMiB;
  options.page_cache_window_bytes = 8 * kMiB;
  auto result = measure_ingest_floor(options);
  REQUIRE(result.ok());
  const auto bytes = static_cast<int64_t>(result->bytes);
  CHECK(bytes == 64 * kMiB);  // and the files held every byte (measure_ingest_floor checks)
  CHECK(result->synced_bytes == result->bytes);
  CHECK(result->dropped_bytes > 0);
  // Once over the window by a step, the oldest bytes are dropped down to the window: what is left cached at
  // the end is at least the window and less than a step more.
  const auto dropped = static_cast<int64_t>(result->dropped_bytes);
  CHECK(dropped <= bytes - options.page_cache_window_bytes);
  CHECK(dropped > bytes - options.page_cache_window_bytes - PageCacheWindow::kDropStepBytes);
  CHECK(result->flusher_cpu_s > 0);
  CHECK(std::filesystem::is_empty(dir.path()));
}

TEST_CASE("Without a page-cache window the ingest floor syncs and drops nothing") {
  TempDir dir("ingest-floor");
  auto options = small_run(dir);
  options.total_bytes = 64 * kMiB;
  options.page_cache_window_bytes = 0;
  auto result = measure_ingest_floor(options);
  REQUIRE(result.ok());
  CHECK(result->bytes == 64 * kMiB);
  CHECK(result->synced_bytes == 0);
  CHECK(result->dropped_bytes == 0);
  CHECK(result->flusher_cpu_s == 0);
  CHECK(std::filesystem::is_empty(dir.path()));
}

TEST_CASE("The ingest floor reports what it cannot do instead of a number") {
  TempDir dir("ingest-floor");
  auto options = small_run(dir);
  SECTION("a directory that does not exist") {
    options.directory = (dir.path() / "missing").string();
    auto result = measure_ingest_floor(options);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().message.find("missing") != std::string::npos);
  }
  SECTION("fewer bytes than one request") {
    options.total_bytes = options.write_bytes;
    CHECK_FALSE(measure_ingest_floor(options).ok());
  }
  SECTION("more partitions than one gathered write can carry") {
    options.partitions = 5000;
    CHECK_FALSE(measure_ingest_floor(options).ok());
  }
  SECTION("requests larger than 256 MiB") {
    options.write_bytes = size_t{1} << 30;
    CHECK_FALSE(measure_ingest_floor(options).ok());
  }
  SECTION("a negative page-cache window") {
    options.page_cache_window_bytes = -1;
    CHECK_FALSE(measure_ingest_floor(options).ok());
  }
  SECTION("values larger than a write") {
    options.record_bytes = options.write_bytes;
    CHECK_FALSE(measure_ingest_floor(options).ok());
  }
}
