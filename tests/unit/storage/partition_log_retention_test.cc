// Retention (by size and by age) and segment.ms rolling.
#include <fcntl.h>
#include <sys/stat.h>

#include <chrono>

#include "millrace/storage/errc.h"
#include "storage_test_support.h"

using namespace millrace;
using namespace millrace::storage;
using namespace millrace::storage::test;

namespace {

constexpr int64_t kNowMs = 1'800'000'000'000;

LogConfig small_segments() {
  LogConfig config;
  config.segment_bytes = 2048;
  config.index_interval_bytes = 256;
  return config;
}

// Fills the log with `batches` batches of about 600 bytes: several segments.
void fill(PartitionLog& log, int batches) {
  for (int i = 0; i < batches; ++i) append(log, make_batch(5, 100, i));
}

}  // namespace

TEST_CASE("retention.bytes deletes the oldest closed segments and advances the log start") {
  TempDir dir;
  auto log = open_log(dir.path(), small_segments());
  fill(*log, 20);
  const int32_t segments_before = log->segment_count();
  REQUIRE(segments_before >= 5);
  const int64_t size_before = log->size_bytes();

  auto result = log->apply_retention(kNowMs, -1, 4096);
  REQUIRE(result.ok());
  CHECK(result->segments_deleted > 0);
  CHECK(log->segment_count() == segments_before - result->segments_deleted);
  CHECK(log->size_bytes() == size_before - result->bytes_deleted);
  // Deleting one more segment would take the log below the limit.
  CHECK(log->size_bytes() >= 4096);
  CHECK(log->log_start_offset() > Offset{0});
  CHECK(log->log_end_offset() == Offset{100});

  auto below = log->read(Offset{0}, 1 << 20, log->log_end_offset());
  REQUIRE_FALSE(below.ok());
  CHECK(below.error().code == errc::offset_out_of_range);
  auto at_start = read(*log, log->log_start_offset());
  CHECK_FALSE(at_start.bytes.empty());

  // The new start survives a restart: it is the first remaining segment.
  const Offset start = log->log_start_offset();
  REQUIRE(log->close().ok());
  log.reset();
  auto reopened = open_log(dir.path(), small_segments());
  CHECK(reopened->log_start_offset() == start);
  CHECK(reopened->log_end_offset() == Offset{100});
}

TEST_CASE("retention never deletes the active segment, even with a zero limit") {
  TempDir dir;
  auto log = open_log(dir.path(), small_segments());
  fill(*log, 20);
  auto result = log->apply_retention(kNowMs, 0, 0);
  REQUIRE(result.ok());
  CHECK(log->segment_count() == 1);
  CHECK(log->log_start_offset() > Offset{0});
  append(*log, make_batch(1));  // appends carry on at the end
  CHECK(log->log_end_offset() == Offset{101});
}

TEST_CASE("retention.ms deletes closed segments whose newest record is older than now minus retention") {
  TempDir dir;
  auto log = open_log(dir.path(), small_segments());
  const int64_t hour_ms = 3600 * 1000;
  // 10 batches two hours old, then 10 fresh ones.
  for (int i = 0; i < 20; ++i) {
    append(*log, make_batch_at(5, 100, kNowMs - (i < 10 ? 2 * hour_ms : 0)));
  }
  const int32_t segments_before = log->segment_count();
  auto result = log->apply_retention(kNowMs, hour_ms, -1);
  REQUIRE(result.ok());
  CHECK(result->segments_deleted > 0);
  CHECK(log->segment_count() < segments_before);
  // Every old record is in a deleted segment or shares a segment with a fresh one.
  CHECK(log->log_start_offset() <= Offset{50});
  CHECK(log->log_start_offset() > Offset{0});
  auto first = read(*log, log->log_start_offset());
  std::vector<protocol::Record> records;
  REQUIRE(protocol::decode_records(first.bytes, 0, records).ok());
  CHECK(records.back().timestamp_ms >= kNowMs - 2 * hour_ms);
  // -1 keeps everything.
  auto none = log->apply_retention(kNowMs + 1'000'000'000, -1, -1);
  REQUIRE(none.ok());
  CHECK(none->segments_deleted == 0);
}

TEST_CASE("segment.ms rolls an active segment that has held data long enough") {
  TempDir dir;
  auto log = open_log(dir.path());  // 1 GiB segments: only age rolls them
  REQUIRE(log->roll_if_older(kNowMs, 1000).ok());
  CHECK(log->segment_count() == 1);  // empty: nothing to roll
  append(*log, make_batch(3));
  REQUIRE(log->roll_if_older(kNowMs, 1000).ok());  // first sight of data starts the clock
  CHECK(log->segment_count() == 1);
  REQUIRE(log->roll_if_older(kNowMs + 999, 1000).ok());
  CHECK(log->segment_count() == 1);
  REQUIRE(log->roll_if_older(kNowMs + 1000, 1000).ok());
  CHECK(log->segment_count() == 2);
  append(*log, make_batch(2));
  CHECK(log->log_end_offset() == Offset{5});
  CHECK(std::filesystem::exists(dir.path() / "00000000000000000003.log"));
}

TEST_CASE("set_config changes segment_bytes for the next append and refuses bad settings") {
  TempDir dir;
  auto log = open_log(dir.path());
  fill(*log, 4);
  CHECK(log->segment_count() == 1);
  LogConfig smaller = small_segments();
  REQUIRE(log->set_config(smaller).ok());
  fill(*log, 4);
  CHECK(log->segment_count() > 1);
  LogConfig bad;
  bad.segment_bytes = 0;
  CHECK_FALSE(log->set_config(bad).ok());
}
