#include <catch2/catch.hpp>

#include "millrace/storage/errc.h"
#include "storage_test_support.h"

using namespace millrace;
using namespace millrace::storage;
using namespace millrace::storage::test;

namespace {

const std::string kMarker = ".clean-shutdown";

// Appends `count` batches of 1..4 records; returns the next offset after each batch.
std::vector<int64_t> fill(PartitionLog& log, int count, int seed = 0) {
  std::vector<int64_t> ends;
  for (int i = 0; i < count; ++i)
    ends.push_back(append(log, make_batch(1 + (seed + i) % 4, 30, seed + i)).last_offset.value + 1);
  return ends;
}

// Byte positions where each batch of the segment at `base` starts, plus the file size at the end.
std::vector<int64_t> batch_starts(const std::filesystem::path& dir, Offset base) {
  const auto log_file = dir / segment_file(base, ".log");
  std::ifstream in(log_file, std::ios::binary);
  Buffer bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<int64_t> starts{0};
  for (const BatchSpan& s : batch_spans(bytes)) starts.push_back(starts.back() + s.size_bytes);
  return starts;
}

// Opens `dir`, checks it ends at `expected_end`, that everything reads back, and that appends continue there.
void check_recovered(const std::filesystem::path& dir, int64_t expected_end, const LogConfig& config = {}) {
  auto log = open_log(dir, config);
  REQUIRE(log->log_end_offset() == Offset{expected_end});
  const auto spans = read_everything(*log);
  REQUIRE((spans.empty() ? log->log_start_offset().value : spans.back().next_offset) == expected_end);
  const AppendResult r = append(*log, make_batch(2, 5, 99));
  REQUIRE(r.base_offset == Offset{expected_end});
  const ReadResult back = read(*log, Offset{expected_end});
  REQUIRE(batch_spans(back.bytes).size() == 1);
  REQUIRE(back.next_offset == Offset{expected_end + 2});
}

}  // namespace

TEST_CASE("close writes a clean-shutdown marker and reopening keeps everything and removes it") {
  TempDir dir;
  LogConfig config;
  config.segment_bytes = 2000;
  auto log = open_log(dir.path(), config);
  const auto ends = fill(*log, 50);
  const int32_t segments = log->segment_count();
  REQUIRE(segments > 2);
  REQUIRE(log->close().ok());
  log.reset();
  CHECK(std::filesystem::exists(dir / kMarker));
  CHECK(std::filesystem::exists(dir / "recovery-point"));

  log = open_log(dir.path(), config);
  CHECK_FALSE(std::filesystem::exists(dir / kMarker));
  CHECK(log->log_end_offset() == Offset{ends.back()});
  CHECK(log->flushed_offset() == Offset{ends.back()});
  CHECK(log->segment_count() == segments);
  CHECK(read_everything(*log).size() == 50);
  CHECK(append(*log, make_batch(1)).base_offset == Offset{ends.back()});
}

TEST_CASE("after a clean shutdown open trusts the batches instead of validating them") {
  TempDir dir;
  const auto clean = dir / "clean";
  auto log = open_log(clean);
  const auto ends = fill(*log, 10);
  REQUIRE(log->close().ok());
  log.reset();
  // Damage a CRC-covered byte of the last batch: with the marker, open does not read batch bodies.
  const auto starts = batch_starts(clean, Offset{0});
  flip_byte(clean / segment_file(Offset{0}, ".log"), starts[9] + 70);
  const auto unclean = dir / "unclean";
  copy_directory(clean, unclean);
  std::filesystem::remove(unclean / kMarker);
  std::filesystem::remove(unclean / "recovery-point");  // as after a crash with nothing flushed

  CHECK(open_log(clean)->log_end_offset() == Offset{ends[9]});
  // The same files without the marker are validated, and the damaged batch is cut off.
  CHECK(open_log(unclean)->log_end_offset() == Offset{ends[8]});
}

TEST_CASE("a crash (no close) keeps every appended batch") {
  TempDir dir;
  LogConfig config;
  config.segment_bytes = 1500;
  std::vector<int64_t> ends;
  {
    auto log = open_log(dir.path(), config);
    ends = fill(*log, 40);
  }  // destroyed without close(): no marker
  CHECK_FALSE(std::filesystem::exists(dir / kMarker));
  auto log = open_log(dir.path(), config);
  CHECK(log->log_end_offset() == Offset{ends.back()});
  CHECK(log->segment_count() > 2);
  CHECK(read_everything(*log).size() == 40);
  CHECK(append(*log, make_batch(1)).base_offset == Offset{ends.back()});
}

TEST_CASE("a torn tail is truncated at every byte position of the last batch") {
  TempDir dir;
  const auto pristine = dir / "pristine";
  std::vector<int64_t> ends;
  {
    auto log = open_log(pristine);
    ends = fill(*log, 8);
  }
  const auto starts = batch_starts(pristine, Offset{0});
  const auto log_file = segment_file(Offset{0}, ".log");

  // Every cut inside the last batch, and a few inside earlier batches.
  std::vector<std::pair<int64_t, int64_t>> cuts;  // (file size after the cut, expected log end)
  for (int64_t at = starts[7]; at < starts[8]; ++at) cuts.emplace_back(at, ends[6]);
  for (int batch : {0, 3, 6}) {
    const int64_t expected_end = batch == 0 ? 0 : ends[static_cast<size_t>(batch) - 1];
    for (int64_t delta : {int64_t{1}, int64_t{11}, int64_t{12}, int64_t{60}, int64_t{61}}) {
      cuts.emplace_back(starts[static_cast<size_t>(batch)] + delta, expected_end);
    }
  }
  for (const auto& [size, expected_end] : cuts) {
    CAPTURE(size, expected_end);
    const auto torn = dir / "torn";
    copy_directory(pristine, torn);
    std::filesystem::resize_file(torn / log_file, static_cast<uintmax_t>(size));
    check_recovered(torn, expected_end);
  }
}

TEST_CASE("a torn tail in the last of several segments is truncated and earlier segments are kept") {
  TempDir dir;
  LogConfig config;
  config.segment_bytes = 1000;
  std::vector<int64_t> ends;
  Offset last_base;
  {
    auto log = open_log(dir.path(), config);
    ends = fill(*log, 30);
    REQUIRE(log->prepare_flush().run().ok());
    log->mark_flushed(Offset{ends[5]});  // a recovery point well before the last segment
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    const std::string name = entry.path().filename().string();
    if (name.ends_with(".log")) last_base = std::max(last_base, Offset{std::stoll(name.substr(0, 20))});
  }
  // Cut inside the last batch of the last segment; ends[k] == last_base, so with `kept` batches of the last
  // segment surviving the log ends at ends[k + kept].
  const auto starts = batch_starts(dir.path(), last_base);
  const size_t kept = starts.size() - 2;
  std::filesystem::resize_file(dir / segment_file(last_base, ".log"),
                               static_cast<uintmax_t>(starts[kept] + 5));
  const auto k = static_cast<size_t>(std::find(ends.begin(), ends.end(), last_base.value) - ends.begin());
  REQUIRE(k + kept < ends.size());
  REQUIRE(k > 10);
  check_recovered(dir.path(), ends[k + kept], config);
  CHECK(open_log(dir.path(), config)->segment_count() > 3);
}

TEST_CASE("garbage after the last batch is truncated") {
  TempDir dir;
  std::vector<int64_t> ends;
  {
    auto log = open_log(dir.path());
    ends = fill(*log, 5);
  }
  const auto log_file = dir / segment_file(Offset{0}, ".log");
  const auto size_before = std::filesystem::file_size(log_file);
  append_bytes_to_file(log_file, std::string(100, '\xAB'));
  check_recovered(dir.path(), ends.back());
  CHECK(std::filesystem::file_size(log_file) > size_before);  // the new batch landed right after the old end
  CHECK(std::filesystem::file_size(log_file) < size_before + 100);
}

TEST_CASE("a damaged last batch with nothing valid after it is a torn tail and is truncated") {
  TempDir dir;
  const auto pristine = dir / "pristine";
  std::vector<int64_t> ends;
  {
    auto log = open_log(pristine);
    ends = fill(*log, 6);
  }
  const auto starts = batch_starts(pristine, Offset{0});
  const auto damaged = dir / "damaged";
  copy_directory(pristine, damaged);
  const auto log_file = damaged / segment_file(Offset{0}, ".log");

  SECTION("a flipped record byte") {
    flip_byte(log_file, starts[5] + 65);
  }
  SECTION("a base offset that does not continue the log (not covered by the CRC)") {
    flip_byte(log_file, starts[5] + 7);
  }
  SECTION("zeros after the last whole batch (the file grew but the data never reached the disk)") {
    std::filesystem::resize_file(log_file, static_cast<uintmax_t>(starts[6] + 5000));
    check_recovered(damaged, ends[5]);
    return;
  }
  SECTION("garbage followed by a stale copy of an earlier batch (lower offsets do not count)") {
    std::ifstream in(log_file, std::ios::binary);
    std::string first(static_cast<size_t>(starts[1]), '\0');
    in.read(first.data(), static_cast<std::streamsize>(first.size()));
    in.close();
    append_bytes_to_file(log_file, std::string(33, '\x7F') + first);
    check_recovered(damaged, ends[5]);
    return;
  }
  check_recovered(damaged, ends[4]);
}

TEST_CASE("a damaged batch followed by valid batches is corruption: open fails and nothing is truncated") {
  TempDir dir;
  const auto pristine = dir / "pristine";
  {
    auto log = open_log(pristine);
    fill(*log, 6);
  }  // a crash: no marker, no recovery point, so the whole segment is validated
  const auto starts = batch_starts(pristine, Offset{0});
  const auto damaged = dir / "damaged";
  copy_directory(pristine, damaged);
  const auto log_file = damaged / segment_file(Offset{0}, ".log");
  int64_t damaged_batch = 0;

  SECTION("a flipped record byte in the middle of the last segment") {
    damaged_batch = 3;
    flip_byte(log_file, starts[3] + 65);
  }
  SECTION("a flipped length field") {
    damaged_batch = 2;
    flip_byte(log_file, starts[2] + 10);
  }
  SECTION("a base offset that does not continue the log") {
    damaged_batch = 4;
    flip_byte(log_file, starts[4] + 7);
  }
  SECTION("the first batch") {
    damaged_batch = 0;
    flip_byte(log_file, starts[0] + 30);
  }
  const auto size_before = std::filesystem::file_size(log_file);
  auto reopened = PartitionLog::open(damaged, LogConfig{});
  REQUIRE_FALSE(reopened.ok());
  CHECK(reopened.error().code == errc::corrupt_data);
  CHECK_THAT(reopened.error().message,
             Catch::Contains("00000000000000000000.log") &&
                 Catch::Contains("at byte " + std::to_string(starts[static_cast<size_t>(damaged_batch)])) &&
                 Catch::Contains("a valid batch follows"));
  CHECK(std::filesystem::file_size(log_file) == size_before);  // the good batches after the damage are kept
  // Repairing the byte makes the log whole again: nothing was lost.
  copy_directory(pristine, damaged);
  CHECK(open_log(damaged)->log_end_offset() == open_log(pristine)->log_end_offset());
}

TEST_CASE("damage below the recovery point is corruption even at the end of the log") {
  TempDir dir;
  LogConfig config;
  config.segment_bytes = 600;
  Offset last_base;
  {
    auto log = open_log(dir.path(), config);
    fill(*log, 12);
    REQUIRE(log->segment_count() > 2);
    const FlushJob job = log->prepare_flush();
    REQUIRE(job.run().ok());
    log->mark_flushed(job.flushed_up_to());  // every batch was fsynced; the recovery point is the log end
    last_base = Offset{log->log_end_offset().value};
    for (Offset base{0}; base < log->log_end_offset(); base = Offset{base.value + 1}) {
      if (std::filesystem::exists(dir / segment_file(base, ".log"))) last_base = base;
    }
  }  // crash: no marker
  REQUIRE(std::filesystem::exists(dir / "recovery-point"));
  const auto starts = batch_starts(dir.path(), last_base);
  REQUIRE(starts.size() >= 2);
  const int64_t last = starts[starts.size() - 2];
  const auto log_file = dir / segment_file(last_base, ".log");

  SECTION("the last batch cut short") {
    std::filesystem::resize_file(log_file, static_cast<uintmax_t>(last + 20));
  }
  SECTION("the last batch's CRC fails") {
    flip_byte(log_file, last + 65);
  }
  const auto size_before = std::filesystem::file_size(log_file);
  auto reopened = PartitionLog::open(dir.path(), config);
  REQUIRE_FALSE(reopened.ok());
  CHECK(reopened.error().code == errc::corrupt_data);
  CHECK_THAT(reopened.error().message,
             Catch::Contains("at byte " + std::to_string(last)) && Catch::Contains("recovery point"));
  CHECK(std::filesystem::file_size(log_file) == size_before);
}

TEST_CASE("a torn tail above the recovery point is truncated") {
  TempDir dir;
  std::vector<int64_t> unsynced_ends;
  {
    auto log = open_log(dir.path());
    fill(*log, 3);
    const FlushJob job = log->prepare_flush();
    REQUIRE(job.run().ok());
    log->mark_flushed(job.flushed_up_to());
    unsynced_ends = fill(*log, 3, 3);  // not fsynced
  }
  const auto starts = batch_starts(dir.path(), Offset{0});
  std::filesystem::resize_file(dir / segment_file(Offset{0}, ".log"), static_cast<uintmax_t>(starts[4] + 30));
  check_recovered(dir.path(), unsynced_ends[0]);
}

TEST_CASE("a marker over a torn log does not hide the tear") {
  TempDir dir;
  std::vector<int64_t> ends;
  {
    auto log = open_log(dir.path());
    ends = fill(*log, 6);
    REQUIRE(log->close().ok());
  }
  const auto starts = batch_starts(dir.path(), Offset{0});
  std::filesystem::resize_file(dir / segment_file(Offset{0}, ".log"), static_cast<uintmax_t>(starts[5] + 20));
  REQUIRE(std::filesystem::exists(dir / kMarker));
  check_recovered(dir.path(), ends[4]);
}

TEST_CASE("corruption in a segment other than the last is an error naming the file") {
  TempDir dir;
  LogConfig config;
  config.segment_bytes = 1000;
  {
    auto log = open_log(dir.path(), config);
    fill(*log, 30);
  }
  const auto starts = batch_starts(dir.path(), Offset{0});
  flip_byte(dir / segment_file(Offset{0}, ".log"), starts[1] + 70);
  auto reopened = PartitionLog::open(dir.path(), config);
  REQUIRE_FALSE(reopened.ok());
  CHECK(reopened.error().code == errc::corrupt_data);
  CHECK_THAT(reopened.error().message, Catch::Contains("00000000000000000000.log") &&
                                           Catch::Contains("byte " + std::to_string(starts[1])));
}

TEST_CASE("segments wholly below the recovery point are not validated again") {
  TempDir dir;
  LogConfig config;
  config.segment_bytes = 1000;
  {
    auto log = open_log(dir.path(), config);
    fill(*log, 30);
    const FlushJob job = log->prepare_flush();
    REQUIRE(job.run().ok());
    log->mark_flushed(job.flushed_up_to());
    fill(*log, 5, 30);
  }  // crash
  const auto starts = batch_starts(dir.path(), Offset{0});
  flip_byte(dir / segment_file(Offset{0}, ".log"),
            starts[1] + 70);  // a record byte, below the recovery point
  CHECK(PartitionLog::open(dir.path(), config).ok());
  std::filesystem::remove(dir / "recovery-point");
  CHECK(PartitionLog::open(dir.path(), config).error().code == errc::corrupt_data);
}

TEST_CASE("missing, short and malformed index files are rebuilt from the log") {
  TempDir dir;
  LogConfig config;
  config.index_interval_bytes = 100;
  std::vector<int64_t> ends;
  {
    auto log = open_log(dir.path(), config);
    ends = fill(*log, 60);
    REQUIRE(log->close().ok());
  }
  const auto index_file = dir / segment_file(Offset{0}, ".index");
  const auto full_size = std::filesystem::file_size(index_file);
  REQUIRE(full_size >= 8 * 20);

  SECTION("deleted") {
    std::filesystem::remove(index_file);
  }
  SECTION("cut short at an entry boundary") {
    std::filesystem::resize_file(index_file, 16);
  }
  SECTION("cut inside an entry") {
    std::filesystem::resize_file(index_file, full_size - 3);
  }
  SECTION("entries out of order") {
    flip_byte(index_file, 8 * 5);  // high byte of a relative offset
  }

  auto log = open_log(dir.path(), config);
  CHECK(std::filesystem::file_size(index_file) == full_size);
  size_t batch = 0;
  for (int64_t offset = 0; offset < ends.back(); ++offset) {
    while (ends[batch] <= offset) ++batch;
    const ReadResult r = read(*log, Offset{offset}, 1);
    REQUIRE(r.next_offset == Offset{ends[batch]});
  }
}
