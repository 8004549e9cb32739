#include <catch2/catch.hpp>

#include "millrace/protocol/record_batch_format.h"
#include "millrace/storage/errc.h"
#include "storage_test_support.h"

using namespace millrace;
using namespace millrace::storage;
using namespace millrace::storage::test;

TEST_CASE("a new log is empty and starts at offset 0") {
  TempDir dir;
  auto log = open_log(dir / "topic-0");
  CHECK(std::filesystem::is_directory(dir / "topic-0"));
  CHECK(log->log_start_offset() == Offset{0});
  CHECK(log->log_end_offset() == Offset{0});
  CHECK(log->flushed_offset() == Offset{0});
  CHECK(log->segment_count() == 1);
  CHECK(log->size_bytes() == 0);
  CHECK(log->directory() == dir / "topic-0");
  CHECK(std::filesystem::exists(dir / "topic-0" / "00000000000000000000.log"));
  CHECK(std::filesystem::exists(dir / "topic-0" / "00000000000000000000.index"));
  auto r = log->read(Offset{0}, 1000, Offset{100});
  REQUIRE(r.ok());
  CHECK(r->bytes.empty());
  CHECK(r->next_offset == Offset{0});
}

TEST_CASE("appends assign offsets from the log end and reads return the same batches") {
  TempDir dir;
  auto log = open_log(dir.path());
  std::vector<Buffer> appended;
  int64_t expected_base = 0;
  int64_t total_bytes = 0;
  for (int i = 0; i < 200; ++i) {
    Buffer batch = make_batch(1 + i % 7, 20, i);
    const AppendResult result = append(*log, batch);
    CHECK(result.base_offset == Offset{expected_base});
    CHECK(result.last_offset == Offset{expected_base + i % 7});
    protocol::set_base_offset(batch, expected_base);  // what the log should now hold
    appended.push_back(batch);
    expected_base += 1 + i % 7;
    total_bytes += static_cast<int64_t>(batch.size());
  }
  CHECK(log->log_end_offset() == Offset{expected_base});
  CHECK(log->size_bytes() == total_bytes);

  // Read batch by batch and compare bytes exactly.
  Offset offset{0};
  for (const Buffer& expected : appended) {
    const ReadResult r = read(*log, offset, 1);
    REQUIRE(r.bytes == expected);
    offset = r.next_offset;
  }
  CHECK(offset == log->log_end_offset());

  // The records decode with their assigned offsets.
  const ReadResult all = read(*log, Offset{0}, 1 << 24);
  CHECK(all.next_offset == log->log_end_offset());
  std::vector<protocol::Record> records;
  REQUIRE(protocol::decode_records(all.bytes, 0, records).ok());
  REQUIRE(records.size() == static_cast<size_t>(expected_base));
  for (size_t i = 0; i < records.size(); ++i) CHECK(records[i].offset == static_cast<int64_t>(i));
}

TEST_CASE("one append of several concatenated batches assigns contiguous offsets") {
  TempDir dir;
  auto log = open_log(dir.path());
  append(*log, make_batch(2));
  Buffer many;
  for (int i = 0; i < 4; ++i) {
    const Buffer b = make_batch(3, 10, i);
    many.insert(many.end(), b.begin(), b.end());
  }
  const AppendResult r = append(*log, many);
  CHECK(r.base_offset == Offset{2});
  CHECK(r.last_offset == Offset{13});
  const auto spans = read_everything(*log);
  REQUIRE(spans.size() == 5);
  CHECK(spans[1].base_offset == 2);
  CHECK(spans[2].base_offset == 5);
  CHECK(spans[4].next_offset == 14);
}

TEST_CASE("a read from the middle of a batch returns that whole batch") {
  TempDir dir;
  auto log = open_log(dir.path());
  append(*log, make_batch(5));
  append(*log, make_batch(10));  // offsets 5..14
  append(*log, make_batch(5));
  for (int64_t offset = 5; offset < 15; ++offset) {
    const ReadResult r = read(*log, Offset{offset}, 1);
    const auto spans = batch_spans(r.bytes);
    REQUIRE(spans.size() == 1);
    CHECK(spans[0].base_offset == 5);
    CHECK(r.next_offset == Offset{15});
  }
}

TEST_CASE("max_bytes limits a read to whole batches but never below one batch") {
  TempDir dir;
  auto log = open_log(dir.path());
  for (int i = 0; i < 10; ++i) append(*log, make_batch(4, 100, i));
  const int64_t batch_bytes = batch_spans(read(*log, Offset{0}, 1).bytes)[0].size_bytes;
  REQUIRE(batch_bytes > 400);

  SECTION("max_bytes smaller than a batch returns exactly one batch") {
    const ReadResult r = read(*log, Offset{0}, 10);
    CHECK(static_cast<int64_t>(r.bytes.size()) == batch_bytes);
    CHECK(r.next_offset == Offset{4});
  }
  SECTION("max_bytes of two and a half batches returns two") {
    const ReadResult r = read(*log, Offset{8}, static_cast<size_t>(batch_bytes * 5 / 2));
    const auto spans = batch_spans(r.bytes);
    REQUIRE(spans.size() == 2);
    CHECK(spans[0].base_offset == 8);
    CHECK(r.next_offset == Offset{16});
  }
  SECTION("max_bytes of exactly three batches returns three") {
    const ReadResult r = read(*log, Offset{0}, static_cast<size_t>(batch_bytes * 3));
    CHECK(batch_spans(r.bytes).size() == 3);
  }
}

TEST_CASE("reads stop before batches at or after up_to") {
  TempDir dir;
  auto log = open_log(dir.path());
  for (int i = 0; i < 10; ++i) append(*log, make_batch(3, 10, i));  // batches at 0, 3, 6, ..., 27
  auto r = log->read(Offset{0}, 1 << 20, Offset{9});
  REQUIRE(r.ok());
  auto spans = batch_spans(r->bytes);
  REQUIRE(spans.size() == 3);
  CHECK(r->next_offset == Offset{9});

  // up_to inside a batch keeps that batch (its base offset is below up_to).
  r = log->read(Offset{0}, 1 << 20, Offset{10});
  REQUIRE(r.ok());
  CHECK(batch_spans(r->bytes).size() == 4);

  // Reading at or past up_to returns nothing.
  r = log->read(Offset{9}, 1 << 20, Offset{9});
  REQUIRE(r.ok());
  CHECK(r->bytes.empty());
  CHECK(r->next_offset == Offset{9});
}

TEST_CASE("reads outside the log are offset_out_of_range and reads at its end are empty") {
  TempDir dir;
  auto log = open_log(dir.path());
  append(*log, make_batch(3));
  auto above = log->read(Offset{4}, 100, Offset{100});
  REQUIRE_FALSE(above.ok());
  CHECK(above.error().code == errc::offset_out_of_range);
  auto below = log->read(Offset{-1}, 100, Offset{100});
  REQUIRE_FALSE(below.ok());
  CHECK(below.error().code == errc::offset_out_of_range);
  auto at_end = log->read(Offset{3}, 100, Offset{100});
  REQUIRE(at_end.ok());
  CHECK(at_end->bytes.empty());
  CHECK(at_end->next_offset == Offset{3});
}

TEST_CASE("malformed appends are refused and leave the log unchanged") {
  TempDir dir;
  auto log = open_log(dir.path());
  append(*log, make_batch(2));
  const int64_t size_before = log->size_bytes();

  Buffer empty;
  CHECK(log->append(empty).error().code == errc::invalid_argument);

  Buffer cut = make_batch(2);
  cut.pop_back();
  CHECK(log->append(cut).error().code == errc::invalid_argument);

  Buffer trailing = make_batch(2);
  trailing.push_back('x');
  CHECK(log->append(trailing).error().code == errc::invalid_argument);

  Buffer bad_magic = make_batch(2);
  bad_magic[protocol::batch_format::kMagic] = 1;
  CHECK(log->append(bad_magic).error().code == errc::invalid_argument);

  LogConfig small;
  small.max_batch_bytes = 200;
  auto limited = open_log(dir / "limited", small);
  Buffer too_big = make_batch(5, 100);
  CHECK(limited->append(too_big).error().code == errc::invalid_argument);
  CHECK(limited->log_end_offset() == Offset{0});

  CHECK(log->log_end_offset() == Offset{2});
  CHECK(log->size_bytes() == size_before);
  CHECK(append(*log, make_batch(1)).base_offset == Offset{2});
}

TEST_CASE("open refuses settings outside their limits") {
  TempDir dir;
  LogConfig config;
  config.segment_bytes = 0;
  CHECK(PartitionLog::open(dir.path(), config).error().code == errc::invalid_argument);
  config = {};
  config.segment_bytes = int64_t{1} << 32;
  CHECK(PartitionLog::open(dir.path(), config).error().code == errc::invalid_argument);
  config = {};
  config.index_interval_bytes = 0;
  CHECK(PartitionLog::open(dir.path(), config).error().code == errc::invalid_argument);
  config = {};
  config.max_batch_bytes = 10;
  CHECK(PartitionLog::open(dir.path(), config).error().code == errc::invalid_argument);
}

TEST_CASE("a closed log refuses further calls") {
  TempDir dir;
  auto log = open_log(dir.path());
  append(*log, make_batch(2));
  REQUIRE(log->close().ok());
  Buffer batch = make_batch(1);
  CHECK(log->append(batch).error().code == errc::log_closed);
  CHECK(log->read(Offset{0}, 100, Offset{2}).error().code == errc::log_closed);
  CHECK(log->close().error().code == errc::log_closed);
  CHECK(log->prepare_flush().empty());
  CHECK(log->log_end_offset() == Offset{2});
}
