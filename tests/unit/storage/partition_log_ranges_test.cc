// PartitionLog::read_ranges: the same reads as read(), as (file, position, length) ranges for sendfile.
#include <unistd.h>

#include <algorithm>

#include <catch2/catch.hpp>

#include "millrace/storage/errc.h"
#include "storage_test_support.h"

using namespace millrace;
using namespace millrace::storage;
using namespace millrace::storage::test;

namespace {

// What the log holds, batch by batch, as appended (base offsets as assigned).
struct Appended {
  int64_t base_offset;
  int64_t next_offset;
  Buffer bytes;
};

std::vector<Appended> append_batches(PartitionLog& log, int count) {
  std::vector<Appended> batches;
  for (int i = 0; i < count; ++i) {
    Buffer batch = make_batch(1 + i % 5, 30 + static_cast<size_t>(i % 11) * 40, i);
    const AppendResult r = append(log, batch);
    protocol::set_base_offset(batch, r.base_offset.value);
    batches.push_back({r.base_offset.value, r.last_offset.value + 1, std::move(batch)});
  }
  return batches;
}

// The bytes of every range, read through the ranges.
Buffer range_bytes(const RangeReadResult& result) {
  Buffer bytes(result.size_bytes());
  size_t at = 0;
  for (const FileRange& range : result.ranges) {
    REQUIRE(range.intact());
    REQUIRE(range.read(0, MutableByteView(bytes.data() + at, static_cast<size_t>(range.length()))).ok());
    at += static_cast<size_t>(range.length());
  }
  return bytes;
}

// The same bytes read with pread on the range's descriptor, the way sendfile sees them.
Buffer pread_bytes(const FileRange& range) {
  Buffer bytes(static_cast<size_t>(range.length()));
  REQUIRE(range.native_handle() >= 0);
  const ssize_t n = ::pread(range.native_handle(), bytes.data(), bytes.size(), range.position());
  REQUIRE(n == static_cast<ssize_t>(bytes.size()));
  return bytes;
}

}  // namespace

TEST_CASE("read_ranges returns whole batches bounded by max_bytes and up_to, as read does") {
  TempDir dir;
  LogConfig config;
  config.index_interval_bytes = 700;  // a sparse index with entries to jump to
  auto log = open_log(dir.path(), config);
  const std::vector<Appended> batches = append_batches(*log, 60);
  const int64_t log_end = log->log_end_offset().value;

  // The expected answer, from the appended batches alone: nothing at or past up_to; else the batch holding
  // `offset`, then more while they fit in max_bytes and start below up_to.
  const auto expected = [&](int64_t offset, size_t max_bytes, int64_t up_to) {
    Buffer bytes;
    int64_t next = offset;
    if (offset >= up_to) return std::pair{bytes, next};
    for (const Appended& b : batches) {
      if (b.next_offset <= offset || b.base_offset >= up_to) continue;
      if (!bytes.empty() && bytes.size() + b.bytes.size() > max_bytes) break;
      bytes.insert(bytes.end(), b.bytes.begin(), b.bytes.end());
      next = b.next_offset;
    }
    return std::pair{bytes, next};
  };

  for (int64_t offset = 0; offset <= log_end; offset += 7) {
    for (size_t max_bytes :
         {size_t{1}, size_t{300}, size_t{1000}, size_t{2500}, size_t{7000}, size_t{1} << 20}) {
      for (int64_t up_to : {offset, offset + 1, offset + 20, log_end}) {
        INFO("offset " << offset << " max_bytes " << max_bytes << " up_to " << up_to);
        auto ranges = log->read_ranges(Offset{offset}, max_bytes, Offset{up_to});
        REQUIRE(ranges.ok());
        auto bytes = log->read(Offset{offset}, max_bytes, Offset{up_to});
        REQUIRE(bytes.ok());
        const auto [want_bytes, want_next] = expected(offset, max_bytes, up_to);
        CHECK(ranges->ranges.size() == (want_bytes.empty() ? 0U : 1U));
        CHECK(range_bytes(*ranges) == want_bytes);
        CHECK(ranges->next_offset == Offset{want_next});
        CHECK(bytes->bytes == want_bytes);
        CHECK(bytes->next_offset == Offset{want_next});
        if (!ranges->ranges.empty()) CHECK(pread_bytes(ranges->ranges.front()) == want_bytes);
      }
    }
  }
  // Outside the log: the same error as read().
  auto below = log->read_ranges(Offset{log_end + 1}, 100, Offset{log_end + 1});
  REQUIRE_FALSE(below.ok());
  CHECK(below.error().code == errc::offset_out_of_range);
}

TEST_CASE("read_ranges stays inside one segment and continues in the next") {
  TempDir dir;
  LogConfig config;
  config.segment_bytes = 4000;
  config.index_interval_bytes = 500;
  auto log = open_log(dir.path(), config);
  const std::vector<Appended> batches = append_batches(*log, 40);
  REQUIRE(log->segment_count() > 3);

  Buffer all;
  for (const Appended& b : batches) all.insert(all.end(), b.bytes.begin(), b.bytes.end());
  Buffer read_back;
  Offset offset{0};
  std::vector<std::filesystem::path> files;
  while (offset < log->log_end_offset()) {
    auto r = log->read_ranges(offset, 1 << 20, log->log_end_offset());
    REQUIRE(r.ok());
    REQUIRE(r->ranges.size() == 1);
    CHECK(r->ranges.front().length() <= config.segment_bytes);
    files.push_back(r->ranges.front().path());
    const Buffer bytes = range_bytes(*r);
    read_back.insert(read_back.end(), bytes.begin(), bytes.end());
    REQUIRE(r->next_offset > offset);
    offset = r->next_offset;
  }
  CHECK(read_back == all);
  CHECK(static_cast<int32_t>(files.size()) == log->segment_count());  // one whole segment per read
  CHECK(std::adjacent_find(files.begin(), files.end()) == files.end());
}

TEST_CASE("a range stays readable after retention deletes its segment") {
  TempDir dir;
  LogConfig config;
  config.segment_bytes = 3000;
  auto log = open_log(dir.path(), config);
  append_batches(*log, 30);
  REQUIRE(log->segment_count() > 2);
  auto r = log->read_ranges(Offset{0}, 1 << 20, log->log_end_offset());
  REQUIRE(r.ok());
  const Buffer before = range_bytes(*r);
  const std::filesystem::path path = r->ranges.front().path();

  auto deleted = log->apply_retention(0, -1, 1);  // keep only the active segment
  REQUIRE(deleted.ok());
  REQUIRE(deleted->segments_deleted >= 2);
  REQUIRE_FALSE(std::filesystem::exists(path));
  CHECK(r->ranges.front().intact());
  CHECK(range_bytes(*r) == before);
  CHECK(pread_bytes(r->ranges.front()) == before);

  // Closing the log does not close the range's descriptor either.
  REQUIRE(log->close().ok());
  log.reset();
  CHECK(pread_bytes(r->ranges.front()) == before);
}

TEST_CASE("a truncation of its segment makes a range not intact, and it is never read as garbage") {
  TempDir dir;
  auto log = open_log(dir.path());
  const std::vector<Appended> batches = append_batches(*log, 10);
  auto r = log->read_ranges(Offset{0}, 1 << 20, log->log_end_offset());
  REQUIRE(r.ok());
  const FileRange range = r->ranges.front();
  REQUIRE(range.intact());

  REQUIRE(log->truncate_to(Offset{batches[5].base_offset}).ok());
  append(*log, make_batch(3, 500, 99));  // new bytes where the cut ones were
  CHECK_FALSE(range.intact());
  Buffer bytes(static_cast<size_t>(range.length()));
  auto read = range.read(0, bytes);
  REQUIRE_FALSE(read.ok());
  CHECK(read.error().code == errc::corrupt_data);

  // A range read after the cut is intact.
  auto again = log->read_ranges(Offset{0}, 1 << 20, log->log_end_offset());
  REQUIRE(again.ok());
  CHECK(again->ranges.front().intact());
  CHECK(static_cast<int64_t>(range_bytes(*again).size()) == again->ranges.front().length());
}

TEST_CASE("a truncation above a range leaves it intact, one below it does not") {
  TempDir dir;
  auto log = open_log(dir.path());
  const std::vector<Appended> batches = append_batches(*log, 10);
  auto r = log->read_ranges(Offset{0}, 1, log->log_end_offset());  // the first batch only
  REQUIRE(r.ok());
  const FileRange first = r->ranges.front();
  r = log->read_ranges(Offset{batches[3].base_offset}, 1, log->log_end_offset());  // the fourth
  REQUIRE(r.ok());
  const FileRange fourth = r->ranges.front();
  const Buffer first_bytes = range_bytes(RangeReadResult{{first}, Offset{0}});

  REQUIRE(log->truncate_to(Offset{batches[6].base_offset}).ok());  // above both
  append(*log, make_batch(3, 500, 98));
  CHECK(first.intact());
  CHECK(fourth.intact());
  REQUIRE(log->truncate_to(Offset{batches[2].base_offset}).ok());  // between them
  append(*log, make_batch(3, 500, 99));
  CHECK(first.intact());
  CHECK(range_bytes(RangeReadResult{{first}, Offset{0}}) == first_bytes);
  CHECK_FALSE(fourth.intact());
  Buffer bytes(static_cast<size_t>(fourth.length()));
  CHECK_FALSE(fourth.read(0, bytes).ok());
}

TEST_CASE("a tailing reader gets each batch just appended, and the new batches after a truncation") {
  TempDir dir;
  LogConfig config;
  config.index_interval_bytes = 4096;  // several small batches per index entry
  auto log = open_log(dir.path(), config);
  std::vector<Appended> batches;
  // Read each batch right after appending it, as a consumer at the log end does, and the last few again.
  for (int i = 0; i < 20; ++i) {
    std::vector<Appended> one = append_batches(*log, 1);
    auto ranges = log->read_ranges(Offset{one.front().base_offset}, 1 << 20, log->log_end_offset());
    REQUIRE(ranges.ok());
    CHECK(range_bytes(*ranges) == one.front().bytes);
    batches.push_back(std::move(one.front()));
  }
  for (size_t i = 10; i < batches.size(); ++i) {
    auto ranges =
        log->read_ranges(Offset{batches[i].base_offset}, batches[i].bytes.size(), log->log_end_offset());
    REQUIRE(ranges.ok());
    CHECK(range_bytes(*ranges) == batches[i].bytes);
  }

  // Cut the last five batches and append batches of other sizes at the same offsets: reads see only those.
  const int64_t cut = batches[15].base_offset;
  REQUIRE(log->truncate_to(Offset{cut}).ok());
  for (int i = 0; i < 3; ++i) {
    Buffer batch = make_batch(2 + i, 500 + static_cast<size_t>(i) * 70, 100 + i);
    const AppendResult r = append(*log, batch);
    protocol::set_base_offset(batch, r.base_offset.value);
    auto ranges = log->read_ranges(r.base_offset, batch.size(), log->log_end_offset());
    REQUIRE(ranges.ok());
    CHECK(range_bytes(*ranges) == batch);
    auto read = log->read(r.base_offset, batch.size(), log->log_end_offset());
    REQUIRE(read.ok());
    CHECK(read->bytes == batch);
  }
  auto from_cut = log->read(Offset{cut}, 1 << 20, log->log_end_offset());
  REQUIRE(from_cut.ok());
  CHECK(from_cut->next_offset == log->log_end_offset());
}
