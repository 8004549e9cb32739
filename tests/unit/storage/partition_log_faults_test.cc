// Faults under a PartitionLog, injected through FaultyFileSystem: disk full and I/O errors on append, failed
// fsyncs, a partial write that cannot be undone, crashes that lose unsynced data (torn at any byte, during a
// segment roll), and a read-only directory.
#include <cerrno>

#include <catch2/catch.hpp>

#include "faulty_file_system.h"
#include "millrace/storage/errc.h"
#include "storage_test_support.h"

using namespace millrace;
using namespace millrace::storage;
using namespace millrace::storage::test;
using millrace::testing::FaultyFileSystem;

namespace {

std::unique_ptr<PartitionLog> open_on(const std::filesystem::path& dir, std::shared_ptr<FaultyFileSystem> fs,
                                      const LogConfig& config = {}) {
  auto log = PartitionLog::open(dir, config, std::move(fs));
  if (!log) FAIL("open failed: " << log.error().to_string());
  return std::move(log).value();
}

uintmax_t log_file_size(const std::filesystem::path& dir, Offset base = Offset{0}) {
  return std::filesystem::file_size(dir / segment_file(base, ".log"));
}

// An append that may fail (append() in storage_test_support.h requires success).
Result<AppendResult> try_append(PartitionLog& log, Buffer batch) {
  return log.append(batch);
}

void flush(PartitionLog& log) {
  const FlushJob job = log.prepare_flush();
  REQUIRE(job.run().ok());
  log.mark_flushed(job);
}

}  // namespace

TEST_CASE("disk full during an append: an error, nothing partial visible, appends work once space returns") {
  TempDir dir;
  auto fs = std::make_shared<FaultyFileSystem>();
  auto log = open_on(dir.path(), fs);
  append(*log, make_batch(3));
  append(*log, make_batch(2, 10, 1));
  const Offset end = log->log_end_offset();
  const auto size_before = log_file_size(dir.path());

  Buffer big = make_batch(5, 100, 2);
  fs->set_free_bytes(static_cast<int64_t>(big.size()) / 2);  // half the batch fits: a real partial write
  auto failed = log->append(big);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().code == errc::disk_full);
  CHECK(log->log_end_offset() == end);
  CHECK(log_file_size(dir.path()) == size_before);  // the partial write was truncated away
  CHECK(read_everything(*log).size() == 2);
  CHECK(log->append(big).error().code == errc::disk_full);  // still full

  fs->unlimited_space();
  CHECK(append(*log, big).base_offset == end);
  CHECK(read_everything(*log).size() == 3);
  flush(*log);
  log.reset();  // crash
  CHECK(read_everything(*open_on(dir.path(), fs)).size() == 3);
}

TEST_CASE("disk full when rolling a segment fails the append and leaves the log as it was") {
  TempDir dir;
  auto fs = std::make_shared<FaultyFileSystem>();
  LogConfig config;
  config.segment_bytes = 600;
  config.index_interval_bytes = 1;  // every batch gets an index entry, written at the roll
  auto log = open_on(dir.path(), fs, config);
  int per_segment = 0;  // batches that fit one segment
  while (log->segment_count() == 1) {
    append(*log, make_batch(2, 40));
    ++per_segment;
  }
  --per_segment;  // the last one rolled
  for (int i = 1; i < per_segment; ++i) append(*log, make_batch(2, 40));
  const int32_t segments = log->segment_count();
  REQUIRE(segments == 2);
  // The next append rolls, and the roll first writes the full segment's pending index entries: no space.
  const Offset end = log->log_end_offset();
  Buffer batch = make_batch(2, 40, 7);
  fs->set_free_bytes(0);
  auto failed = log->append(batch);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().code == errc::disk_full);
  CHECK(log->log_end_offset() == end);
  CHECK(log->segment_count() == segments);
  fs->unlimited_space();
  CHECK(append(*log, batch).base_offset == end);
  CHECK(log->segment_count() == segments + 1);
  CHECK(read_everything(*log).back().next_offset == log->log_end_offset().value);
}

TEST_CASE("an I/O error after any prefix of an append leaves nothing visible") {
  TempDir dir;
  auto fs = std::make_shared<FaultyFileSystem>();
  auto log = open_on(dir.path(), fs);
  append(*log, make_batch(2));
  Buffer batch = make_batch(3, 20, 5);
  for (size_t prefix = 0; prefix < batch.size(); prefix += 7) {
    CAPTURE(prefix);
    const Offset end = log->log_end_offset();
    const auto size_before = log_file_size(dir.path());
    fs->fail_next_write(EIO, prefix);
    auto failed = log->append(batch);
    REQUIRE_FALSE(failed.ok());
    CHECK(failed.error().code == errc::io_error);
    CHECK(log->log_end_offset() == end);
    CHECK(log_file_size(dir.path()) == size_before);
    CHECK(append(*log, batch).base_offset == end);  // the next append goes through
  }
  const Offset end = log->log_end_offset();
  log.reset();
  CHECK(open_on(dir.path(), fs)->log_end_offset() == end);
}

TEST_CASE("a partial write that cannot be undone stops appends, reopening removes it as a torn tail") {
  TempDir dir;
  auto fs = std::make_shared<FaultyFileSystem>();
  auto log = open_on(dir.path(), fs);
  append(*log, make_batch(2));
  const Offset end = log->log_end_offset();
  fs->fail_next_write(ENOSPC, 25);
  fs->fail_truncates(EIO);
  REQUIRE_FALSE(try_append(*log, make_batch(1)).ok());
  fs->fail_truncates(0);
  auto refused = try_append(*log, make_batch(1));
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.error().message, Catch::Contains("reopen"));
  CHECK(read_everything(*log).size() == 1);  // reads go on, without the partial bytes
  CHECK_FALSE(log->close().ok());            // and no clean-shutdown marker
  log.reset();
  CHECK_FALSE(std::filesystem::exists(dir / ".clean-shutdown"));
  CHECK(log_file_size(dir.path()) > 0);

  log = open_on(dir.path(), fs);
  CHECK(log->log_end_offset() == end);
  CHECK(append(*log, make_batch(1)).base_offset == end);
}

TEST_CASE("a failed fsync makes nothing durable: the flushed offset stays and a crash loses the batches") {
  TempDir dir;
  auto fs = std::make_shared<FaultyFileSystem>();
  auto log = open_on(dir.path(), fs);
  append(*log, make_batch(2));
  flush(*log);
  const Offset durable = log->flushed_offset();
  append(*log, make_batch(3, 10, 1));
  fs->fail_syncs(EIO);
  const FlushJob job = log->prepare_flush();
  const Status ran = job.run();
  REQUIRE_FALSE(ran.ok());
  CHECK(ran.error().code == errc::io_error);
  CHECK(log->flushed_offset() == durable);  // the caller does not mark_flushed after a failure
  log.reset();
  fs->crash();
  log = open_on(dir.path(), fs);
  CHECK(log->log_end_offset() == durable);
  CHECK(read_everything(*log).size() == 1);
}

TEST_CASE("a crash keeps the fsynced batches and whole unsynced ones, however the unsynced tail is torn") {
  TempDir dir;
  const auto build = [&](const std::filesystem::path& at, const std::shared_ptr<FaultyFileSystem>& fs,
                         std::vector<int64_t>& ends, std::vector<int64_t>& sizes) {
    auto log = open_on(at, fs);
    for (int i = 0; i < 6; ++i) {
      ends.push_back(append(*log, make_batch(1 + i % 3, 15, i)).last_offset.value + 1);
      sizes.push_back(log->size_bytes());
      if (i == 2) flush(*log);
    }
  };  // destroyed without close(): a crash
  int64_t unsynced_bytes = 0;
  {
    std::vector<int64_t> ends, sizes;
    build(dir / "probe", std::make_shared<FaultyFileSystem>(), ends, sizes);
    unsynced_bytes = sizes[5] - sizes[2];
  }
  for (int64_t keep = 0; keep <= unsynced_bytes; keep += 9) {
    CAPTURE(keep);
    const auto crashed = dir / ("crashed-" + std::to_string(keep));
    auto fs = std::make_shared<FaultyFileSystem>();
    std::vector<int64_t> ends, sizes;
    build(crashed, fs, ends, sizes);
    fs->crash(keep);
    int64_t expected = ends[2];  // the fsynced batches survive
    for (size_t b = 3; b < 6; ++b) {
      if (sizes[b] <= sizes[2] + keep) expected = ends[b];  // and every unsynced batch that survived whole
    }
    CHECK(log_file_size(crashed) == static_cast<uintmax_t>(sizes[2] + keep));
    auto log = open_on(crashed, fs);
    CHECK(log->log_end_offset() == Offset{expected});
    CHECK(read_everything(*log).back().next_offset == expected);
    CHECK(append(*log, make_batch(1)).base_offset == Offset{expected});
  }
}

TEST_CASE("a crash right after a segment roll keeps every fsynced batch") {
  TempDir dir;
  auto fs = std::make_shared<FaultyFileSystem>();
  LogConfig config;
  config.segment_bytes = 800;
  Offset durable;
  {
    auto log = open_on(dir.path(), fs, config);
    while (log->segment_count() == 1) {
      durable = log->log_end_offset();
      flush(*log);
      append(*log, make_batch(2, 40));
    }
    REQUIRE(log->segment_count() == 2);  // the last append rolled and went, unsynced, into the new segment
    append(*log, make_batch(1, 40, 1));
  }
  fs->crash();
  CHECK(log_file_size(dir.path(), durable) == 0);  // nothing of the new segment reached the disk
  auto log = open_on(dir.path(), fs, config);
  CHECK(log->log_end_offset() == durable);
  CHECK(append(*log, make_batch(1)).base_offset == durable);
  CHECK(read_everything(*log).back().next_offset == durable.value + 1);
}

TEST_CASE(
    "a crash after a roll, with the older segment's unsynced tail torn, cuts the tail and drops what "
    "follows") {
  TempDir dir;
  LogConfig config;
  config.segment_bytes = 800;
  // Batch sizes and ends, the same in every run (make_batch is deterministic).
  const auto build = [&](const std::filesystem::path& at, const std::shared_ptr<FaultyFileSystem>& fs,
                         std::vector<int64_t>& ends, std::vector<int64_t>& sizes, Offset& second_base) {
    auto log = open_on(at, fs, config);
    for (int i = 0; log->segment_count() == 1; ++i) {
      const AppendResult r = append(*log, make_batch(2, 40, i));
      if (log->segment_count() == 1) {
        ends.push_back(r.last_offset.value + 1);
        sizes.push_back(log->size_bytes());
      } else {
        second_base = r.base_offset;
      }
      if (i == 1) flush(*log);  // the first two batches are durable; the rest of the segment is not
    }
  };  // no close: the new segment's batch and the older segment's tail are unsynced
  std::vector<int64_t> ends, sizes;
  Offset second_base;
  build(dir / "probe", std::make_shared<FaultyFileSystem>(), ends, sizes, second_base);
  REQUIRE(ends.size() > 3);
  const int64_t unsynced_first = sizes.back() - sizes[1];
  const auto second_batch_bytes =
      static_cast<int64_t>(make_batch(2, 40, static_cast<int>(ends.size())).size());
  REQUIRE(second_batch_bytes < unsynced_first);

  SECTION("the new segment holds only a torn prefix: the older one's tail is cut, the new one removed") {
    for (const int64_t keep : {int64_t{0}, int64_t{30}, second_batch_bytes - 1}) {
      CAPTURE(keep);
      const auto crashed = dir / ("torn-" + std::to_string(keep));
      auto fs = std::make_shared<FaultyFileSystem>();
      std::vector<int64_t> e, z;
      Offset b;
      build(crashed, fs, e, z, b);
      fs->crash(keep);
      int64_t expected = ends[1];
      for (size_t i = 2; i < ends.size(); ++i) {
        if (sizes[i] <= sizes[1] + keep) expected = ends[i];
      }
      auto log = open_on(crashed, fs, config);
      CHECK(log->log_end_offset() == Offset{expected});
      CHECK(log->segment_count() == 1);
      CHECK_FALSE(std::filesystem::exists(crashed / segment_file(second_base, ".log")));
      CHECK(append(*log, make_batch(1)).base_offset == Offset{expected});
    }
  }
  SECTION("the new segment's batch survived whole behind the hole: corruption, nothing removed") {
    const auto crashed = dir / "hole";
    auto fs = std::make_shared<FaultyFileSystem>();
    std::vector<int64_t> e, z;
    Offset b;
    build(crashed, fs, e, z, b);
    fs->crash(second_batch_bytes);
    auto failed = PartitionLog::open(crashed, config, fs);
    REQUIRE_FALSE(failed.ok());
    CHECK(failed.error().code == errc::corrupt_data);
    CHECK_THAT(failed.error().message, Catch::Contains("valid batch follows at byte 0 of") &&
                                           Catch::Contains(segment_file(second_base, ".log")));
    CHECK(std::filesystem::file_size(crashed / segment_file(second_base, ".log")) ==
          static_cast<uintmax_t>(second_batch_bytes));
  }
}

TEST_CASE("a read-only partition directory: that log fails with the error, another log keeps working") {
  TempDir dir;
  auto fs = std::make_shared<FaultyFileSystem>();
  const auto healthy = dir / "t-0";
  const auto broken = dir / "t-1";
  {
    auto log = open_on(broken, fs);
    append(*log, make_batch(1));
    REQUIRE(log->close().ok());
  }
  auto other = open_on(healthy, fs);
  append(*other, make_batch(2));

  SECTION("read-only before open: the log does not open") {
    fs->set_read_only(broken);
    auto failed = PartitionLog::open(broken, LogConfig{}, fs);
    REQUIRE_FALSE(failed.ok());
    CHECK(failed.error().code == errc::io_error);
    CHECK_THAT(failed.error().message, Catch::Contains("t-1") && Catch::Contains("Read-only"));
  }
  SECTION("read-only while open: appends and flushes fail, reads go on") {
    auto log = open_on(broken, fs);
    fs->set_read_only(broken);
    auto refused = try_append(*log, make_batch(1));
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == errc::io_error);
    CHECK(log->log_end_offset() == Offset{1});
    CHECK(read_everything(*log).size() == 1);
    fs->set_writable();
    append(*log, make_batch(1));
    fs->set_read_only(broken);
    CHECK_FALSE(log->prepare_flush().run().ok());
  }
  // The healthy log is untouched either way.
  CHECK(append(*other, make_batch(1)).base_offset == Offset{2});
  flush(*other);
  CHECK(read_everything(*other).size() == 2);
}

TEST_CASE("fsync fails once a log's files were deleted from under it (a vanished directory)") {
  TempDir dir;
  auto log = open_log(dir / "t-0");
  append(*log, make_batch(2));
  std::filesystem::remove_all(dir / "t-0");
  append(*log, make_batch(1));  // into the deleted file's page cache: looks fine, survives nothing
  const Status ran = log->prepare_flush().run();
  REQUIRE_FALSE(ran.ok());
  CHECK_THAT(ran.error().message, Catch::Contains("deleted"));
}

TEST_CASE("segments deleted by retention do not fail a flush that still holds them") {
  TempDir dir;
  LogConfig config;
  config.segment_bytes = 500;
  auto log = open_log(dir.path(), config);
  while (log->segment_count() < 4) append(*log, make_batch(2, 40));
  const FlushJob job = log->prepare_flush();  // holds every segment
  auto deleted = log->apply_retention(0, -1, 1);
  REQUIRE(deleted.ok());
  REQUIRE(deleted->segments_deleted > 0);
  CHECK(job.run().ok());
}

TEST_CASE("a group commit syncs the newest segment's .log only, and a crash then rebuilds its indexes") {
  TempDir dir;
  auto fs = std::make_shared<FaultyFileSystem>();
  LogConfig config;
  config.segment_bytes = 2000;
  config.index_interval_bytes = 100;
  std::vector<Offset> batch_starts;
  {
    auto log = open_on(dir.path(), fs, config);
    append(*log, make_batch(2, 50));
    flush(*log);  // the first flush of a new segment: .log and the directory, not the indexes
    const int64_t syncs_before = fs->syncs();
    batch_starts.push_back(append(*log, make_batch(2, 50, 1)).base_offset);
    flush(*log);
    CHECK(fs->syncs() - syncs_before == 1);  // one fsync per group commit, not three
    // Up to a roll, flushing after every append; the older segment's indexes are synced by the next flush,
    // which moves the recovery point past it.
    while (log->segment_count() < 3) {
      batch_starts.push_back(
          append(*log, make_batch(2, 50, static_cast<int>(batch_starts.size()))).base_offset);
      flush(*log);
    }
    CHECK(log->flushed_offset() == log->log_end_offset());
  }  // destroyed without close()
  fs->crash();
  const auto first_index = dir / segment_file(Offset{0}, ".index");
  CHECK(std::filesystem::file_size(first_index) > 0);  // synced before the recovery point passed it
  auto log = open_on(dir.path(), fs, config);
  CHECK(log->log_end_offset().value == batch_starts.back().value + 2);
  for (const Offset start : batch_starts) {  // every batch is found through the (rebuilt) indexes
    const auto spans = batch_spans(read(*log, start, 1).bytes);
    REQUIRE_FALSE(spans.empty());
    CHECK(spans.front().base_offset == start.value);
  }
}
