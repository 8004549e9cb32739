#include <signal.h>
#include <sys/resource.h>

#include <thread>

#include <catch2/catch.hpp>

#include "millrace/storage/errc.h"
#include "storage_test_support.h"

using namespace millrace;
using namespace millrace::storage;
using namespace millrace::storage::test;

TEST_CASE("prepare_flush, run and mark_flushed advance the flushed offset") {
  TempDir dir;
  auto log = open_log(dir.path());
  CHECK(log->prepare_flush().empty());  // nothing appended yet

  append(*log, make_batch(3));
  append(*log, make_batch(2));
  CHECK(log->flushed_offset() == Offset{0});
  const FlushJob job = log->prepare_flush();
  CHECK_FALSE(job.empty());
  CHECK(job.flushed_up_to() == Offset{5});
  REQUIRE(job.run().ok());
  CHECK(log->flushed_offset() == Offset{0});  // not until mark_flushed
  log->mark_flushed(job.flushed_up_to());
  CHECK(log->flushed_offset() == Offset{5});
  CHECK(log->prepare_flush().empty());

  log->mark_flushed(Offset{3});  // going back is ignored
  CHECK(log->flushed_offset() == Offset{5});
}

TEST_CASE("the flushed offset survives a crash as the recovery point, and a close flushes everything") {
  TempDir dir;
  {
    auto log = open_log(dir.path());
    append(*log, make_batch(4));
    const FlushJob job = log->prepare_flush();
    REQUIRE(job.run().ok());
    log->mark_flushed(job.flushed_up_to());
    append(*log, make_batch(4));  // appended, not flushed
  }                               // crash
  {
    auto log = open_log(dir.path());
    CHECK(log->log_end_offset() == Offset{8});  // the page cache still had it
    // Only the recovery point is known durable, and it moves only when a flush reaches a newer segment
    // (recovery validates the recovery point's whole segment anyway): still the log start here.
    CHECK(log->flushed_offset() == Offset{0});
    const FlushJob job = log->prepare_flush();
    CHECK(job.flushed_up_to() == Offset{8});
    REQUIRE(job.run().ok());
    log->mark_flushed(job.flushed_up_to());
    CHECK(log->flushed_offset() == Offset{8});
    append(*log, make_batch(1));
    REQUIRE(log->close().ok());
    CHECK(log->flushed_offset() == Offset{9});
  }
  auto log = open_log(dir.path());
  CHECK(log->flushed_offset() == Offset{9});
}

TEST_CASE("the recovery point advances when a flush reaches a newer segment") {
  TempDir dir;
  LogConfig config;
  config.segment_bytes = 1024;
  {
    auto log = open_log(dir.path(), config);
    Offset flushed_into_second_segment{-1};
    for (int i = 0; i < 12; ++i) {
      append(*log, make_batch(4, 100, i));
      const FlushJob job = log->prepare_flush();
      REQUIRE(job.run().ok());
      log->mark_flushed(job.flushed_up_to());
      if (log->segment_count() == 2 && flushed_into_second_segment.value < 0) {
        flushed_into_second_segment = job.flushed_up_to();
      }
    }
    REQUIRE(log->segment_count() >= 3);
    REQUIRE(flushed_into_second_segment.value > 0);
  }  // crash
  auto log = open_log(dir.path(), config);
  CHECK(log->log_end_offset() == Offset{48});
  // At least the first flush that reached the last segment, never more than was flushed.
  CHECK(log->flushed_offset() > Offset{0});
  CHECK(log->flushed_offset() <= Offset{48});
  auto last_segment_base = Offset{0};
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    if (e.path().extension() == ".log") {
      last_segment_base = std::max(last_segment_base, Offset{std::stoll(e.path().stem().string())});
    }
  }
  CHECK(log->flushed_offset() >= last_segment_base);
}

TEST_CASE("index entries reach the .index file at flush and at roll, not on every append") {
  TempDir dir;
  LogConfig config;
  config.segment_bytes = 3000;
  config.index_interval_bytes = 100;
  auto log = open_log(dir.path(), config);
  const auto first_index = dir / segment_file(Offset{0}, ".index");
  for (int i = 0; i < 10; ++i) append(*log, make_batch(2, 50, i));
  REQUIRE(log->segment_count() == 1);
  CHECK(std::filesystem::file_size(first_index) == 0);  // kept in memory so far

  const FlushJob job = log->prepare_flush();
  const auto after_flush = std::filesystem::file_size(first_index);
  CHECK(after_flush >= 8 * 5);
  REQUIRE(job.run().ok());
  log->mark_flushed(job.flushed_up_to());

  while (log->segment_count() == 1) append(*log, make_batch(2, 50));
  CHECK(std::filesystem::file_size(first_index) > after_flush);  // written when the segment was sealed
}

TEST_CASE("flush jobs run on another thread while the owner keeps appending") {
  TempDir dir;
  LogConfig config;
  config.segment_bytes = 4000;
  auto log = open_log(dir.path(), config);
  for (int round = 0; round < 20; ++round) {
    append(*log, make_batch(2, 40, round));
    const FlushJob job = log->prepare_flush();
    Status flushed;
    std::thread flusher([&] { flushed = job.run(); });
    for (int i = 0; i < 10; ++i) append(*log, make_batch(1, 40, i));
    flusher.join();
    REQUIRE(flushed.ok());
    log->mark_flushed(job.flushed_up_to());
    CHECK(log->flushed_offset() == job.flushed_up_to());
    CHECK(log->flushed_offset() < log->log_end_offset());
  }
  CHECK(log->segment_count() > 2);
  CHECK(read_everything(*log).size() == 20 * 11);
}

TEST_CASE("a failed write leaves no partial batch behind and the log carries on") {
  TempDir dir;
  auto log = open_log(dir.path());
  append(*log, make_batch(2, 10));
  const int64_t size_before = log->size_bytes();
  const auto log_file = dir / segment_file(Offset{0}, ".log");

  // Let the file grow by only 100 more bytes: the write of a bigger batch is cut short, then fails (EFBIG).
  ::signal(SIGXFSZ, SIG_IGN);
  rlimit saved{};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
  rlimit limited = saved;
  limited.rlim_cur = static_cast<rlim_t>(size_before + 100);
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &limited) == 0);
  Buffer big = make_batch(10, 50);
  auto failed = log->append(big);
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &saved) == 0);

  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().code == errc::io_error);
  CHECK(static_cast<int64_t>(std::filesystem::file_size(log_file)) == size_before);
  CHECK(log->size_bytes() == size_before);
  CHECK(log->log_end_offset() == Offset{2});
  CHECK(read_everything(*log).size() == 1);

  CHECK(append(*log, big).base_offset == Offset{2});
  CHECK(log->log_end_offset() == Offset{12});
  CHECK(read_everything(*log).size() == 2);
}
