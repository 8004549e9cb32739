#include "ingest_floor.h"

#include <catch2/catch.hpp>
#include <filesystem>

#include "temp_dir.h"

using millrace::ingestfloor::IngestFloorOptions;
using millrace::ingestfloor::measure_ingest_floor;
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
  SECTION("values larger than a write") {
    options.record_bytes = options.write_bytes;
    CHECK_FALSE(measure_ingest_floor(options).ok());
  }
}
