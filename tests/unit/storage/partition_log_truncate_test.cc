// PartitionLog::truncate_to and truncate_fully (for Raft followers), and stale FlushJobs after a truncation.
#include <catch2/catch.hpp>

#include "millrace/storage/errc.h"
#include "storage_test_support.h"

using namespace millrace;
using namespace millrace::storage;
using namespace millrace::storage::test;

namespace {

void flush(PartitionLog& log) {
  const FlushJob job = log.prepare_flush();
  REQUIRE(job.run().ok());
  log.mark_flushed(job);
}

}  // namespace

TEST_CASE("truncate_to cuts the active segment at a batch boundary and appends continue there") {
  TempDir dir;
  auto log = open_log(dir.path());
  for (int i = 0; i < 5; ++i) append(*log, make_batch(2, 10, i));  // batches at 0, 2, 4, 6, 8
  flush(*log);
  REQUIRE(log->truncate_to(Offset{6}).ok());
  CHECK(log->log_end_offset() == Offset{6});
  CHECK(log->flushed_offset() == Offset{6});
  CHECK(read_everything(*log).size() == 3);
  CHECK(append(*log, make_batch(1, 10, 9)).base_offset == Offset{6});
  CHECK(log->log_end_offset() == Offset{7});
}

TEST_CASE("truncate_to refuses offsets inside a batch or outside the log") {
  TempDir dir;
  auto log = open_log(dir.path());
  append(*log, make_batch(3));
  append(*log, make_batch(3));
  auto inside = log->truncate_to(Offset{4});
  REQUIRE_FALSE(inside.ok());
  CHECK(inside.error().code == errc::invalid_argument);
  CHECK(log->truncate_to(Offset{7}).error().code == errc::offset_out_of_range);
  CHECK(log->log_end_offset() == Offset{6});
  REQUIRE(log->truncate_to(Offset{6}).ok());  // the end itself: nothing to do
  REQUIRE(log->truncate_to(Offset{0}).ok());
  CHECK(log->log_end_offset() == Offset{0});
  CHECK(append(*log, make_batch(1)).base_offset == Offset{0});
}

TEST_CASE("truncate_to deletes later segments, rewrites the cut segment's index, and survives reopening") {
  TempDir dir;
  LogConfig config;
  config.segment_bytes = 1000;
  config.index_interval_bytes = 100;
  Offset cut{0};
  {
    auto log = open_log(dir.path(), config);
    for (int i = 0; i < 40; ++i) append(*log, make_batch(2, 40, i));
    REQUIRE(log->segment_count() >= 3);
    flush(*log);
    cut = Offset{20};  // a batch boundary inside the first or second segment
    REQUIRE(log->truncate_to(cut).ok());
    CHECK(log->log_end_offset() == cut);
    CHECK(log->flushed_offset() == cut);
    CHECK(read_everything(*log, 150).size() == 10);
    append(*log, make_batch(2, 40, 99));
  }  // no close(): a crash
  auto log = open_log(dir.path(), config);
  CHECK(log->log_end_offset() == Offset{22});
  CHECK(log->flushed_offset() <= cut);  // the recovery point was lowered with the cut
  const auto spans = read_everything(*log, 150);
  CHECK(spans.size() == 11);
  int segments = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    segments += entry.path().extension() == ".log" ? 1 : 0;
  }
  CHECK(segments == log->segment_count());
}

TEST_CASE("a FlushJob prepared before a truncation is stale") {
  TempDir dir;
  auto log = open_log(dir.path());
  append(*log, make_batch(2));
  append(*log, make_batch(2));
  const FlushJob stale = log->prepare_flush();
  REQUIRE(log->truncate_to(Offset{2}).ok());
  append(*log, make_batch(2, 10, 5));  // different bytes at the same offsets
  REQUIRE(stale.run().ok());
  log->mark_flushed(stale);
  CHECK(log->flushed_offset() == Offset{0});
  flush(*log);
  CHECK(log->flushed_offset() == Offset{4});
}

TEST_CASE("truncate_fully starts an empty log at any offset, durably") {
  TempDir dir;
  {
    auto log = open_log(dir.path());
    for (int i = 0; i < 3; ++i) append(*log, make_batch(2));
    REQUIRE(log->truncate_fully(Offset{1000}).ok());
    CHECK(log->log_start_offset() == Offset{1000});
    CHECK(log->log_end_offset() == Offset{1000});
    CHECK(log->flushed_offset() == Offset{1000});
    CHECK(log->segment_count() == 1);
    CHECK(append(*log, make_batch(3)).base_offset == Offset{1000});
    CHECK(log->read(Offset{0}, 100, log->log_end_offset()).error().code == errc::offset_out_of_range);
  }
  auto log = open_log(dir.path());
  CHECK(log->log_start_offset() == Offset{1000});
  CHECK(log->log_end_offset() == Offset{1003});
  CHECK_FALSE(std::filesystem::exists(dir / segment_file(Offset{0}, ".log")));
}
