#include <algorithm>
#include <iomanip>
#include <random>
#include <sstream>

#include <catch2/catch.hpp>

#include "storage_test_support.h"

using namespace millrace;
using namespace millrace::storage;
using namespace millrace::storage::test;

namespace {

std::vector<std::string> files_with_suffix(const std::filesystem::path& dir, const std::string& suffix) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.ends_with(suffix)) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST_CASE("the active segment's .log has space reserved ahead and a rolled or closed one none") {
  TempDir dir;
  if (!allocates_ahead(dir.path())) {
    WARN("the temp directory's file system cannot allocate ahead: nothing to check");
    return;
  }
  LogConfig config;
  config.segment_bytes = 256 << 10;
  auto log = open_log(dir.path(), config);
  for (int i = 0; i < 60; ++i) append(*log, make_batch(10, 1000, i));  // ~10 KiB each: 3 segments and more
  const auto logs = files_with_suffix(dir.path(), ".log");
  REQUIRE(logs.size() >= 3);
  constexpr int64_t kBlockSlack = 8 << 10;
  for (size_t i = 0; i + 1 < logs.size(); ++i) {
    const auto path = dir / logs[i];
    INFO(logs[i]);
    CHECK(allocated_bytes(path) <= static_cast<int64_t>(std::filesystem::file_size(path)) + kBlockSlack);
  }
  const auto active = dir / logs.back();
  const auto active_size = static_cast<int64_t>(std::filesystem::file_size(active));
  // Reserved in steps as large as the file (at least 64 KiB): these appends leave most of the last one.
  CHECK(allocated_bytes(active) > active_size + kBlockSlack);
  REQUIRE(log->close().ok());
  CHECK(allocated_bytes(active) <= active_size + kBlockSlack);
  CHECK(static_cast<int64_t>(std::filesystem::file_size(active)) == active_size);
}

TEST_CASE("the log rolls to a new segment when the active one would exceed segment_bytes") {
  TempDir dir;
  LogConfig config;
  config.segment_bytes = 1000;
  auto log = open_log(dir.path(), config);
  std::vector<int64_t> expected_bases{0};
  int64_t segment_size = 0;
  for (int i = 0; i < 40; ++i) {
    Buffer batch = make_batch(3, 50, i);  // ~250 bytes: 3 batches per segment
    const auto size = static_cast<int64_t>(batch.size());
    if (segment_size > 0 && segment_size + size > config.segment_bytes) {
      expected_bases.push_back(log->log_end_offset().value);
      segment_size = 0;
    }
    append(*log, batch);
    segment_size += size;
  }
  REQUIRE(expected_bases.size() > 5);
  CHECK(log->segment_count() == static_cast<int32_t>(expected_bases.size()));

  std::vector<std::string> expected_logs;
  std::vector<std::string> expected_indexes;
  for (int64_t base : expected_bases) {
    expected_logs.push_back(segment_file(Offset{base}, ".log"));
    expected_indexes.push_back(segment_file(Offset{base}, ".index"));
  }
  CHECK(files_with_suffix(dir.path(), ".log") == expected_logs);
  CHECK(files_with_suffix(dir.path(), ".index") == expected_indexes);
  CHECK(expected_logs[0] == "00000000000000000000.log");
  std::ostringstream second;
  second << std::setw(20) << std::setfill('0') << expected_bases[1] << ".log";
  CHECK(expected_logs[1] == second.str());

  int64_t file_bytes = 0;
  for (const auto& name : expected_logs) {
    const auto size = static_cast<int64_t>(std::filesystem::file_size(dir / name));
    CHECK(size <= config.segment_bytes);
    file_bytes += size;
  }
  CHECK(log->size_bytes() == file_bytes);

  // Reading everything, with small and large max_bytes, crosses every segment boundary.
  for (size_t max_bytes : {size_t{1}, size_t{600}, size_t{1} << 20}) {
    const auto spans = read_everything(*log, max_bytes);
    CHECK(spans.size() == 40);
    CHECK(spans.back().next_offset == 120);
  }
  // A read at a segment's base offset starts in that segment.
  const ReadResult r = read(*log, Offset{expected_bases[2]});
  CHECK(batch_spans(r.bytes)[0].base_offset == expected_bases[2]);
}

TEST_CASE("a batch larger than segment_bytes gets a segment of its own") {
  TempDir dir;
  LogConfig config;
  config.segment_bytes = 500;
  auto log = open_log(dir.path(), config);
  append(*log, make_batch(1, 10));
  Buffer big = make_batch(20, 100);
  REQUIRE(big.size() > 500);
  CHECK(append(*log, big).base_offset == Offset{1});
  append(*log, make_batch(1, 10));
  CHECK(log->segment_count() == 3);
  CHECK(std::filesystem::file_size(dir / segment_file(Offset{1}, ".log")) == big.size());
  CHECK(std::filesystem::exists(dir / segment_file(Offset{21}, ".log")));
  const ReadResult r = read(*log, Offset{5}, 1);
  CHECK(r.bytes.size() == big.size());
  CHECK(r.next_offset == Offset{21});
  CHECK(read_everything(*log).size() == 3);
}

TEST_CASE("batches of one append are never split across segments") {
  TempDir dir;
  LogConfig config;
  config.segment_bytes = 1000;
  auto log = open_log(dir.path(), config);
  append(*log, make_batch(2, 100));
  Buffer many;
  for (int i = 0; i < 6; ++i) {
    const Buffer b = make_batch(2, 100, i);
    many.insert(many.end(), b.begin(), b.end());
  }
  REQUIRE(many.size() > 1000);
  append(*log, many);
  CHECK(log->segment_count() == 2);
  CHECK(std::filesystem::file_size(dir / segment_file(Offset{2}, ".log")) == many.size());
  CHECK(read_everything(*log).size() == 7);
}

TEST_CASE("index lookups find the batch containing every offset") {
  TempDir dir;
  LogConfig config;
  config.index_interval_bytes = 200;
  config.segment_bytes = 20'000;
  auto log = open_log(dir.path(), config);
  std::mt19937 random(42);
  std::vector<BatchSpan> expected;  // the linear scan the index must agree with
  for (int i = 0; i < 300; ++i) {
    const int records = 1 + static_cast<int>(random() % 9);
    const size_t value_bytes = random() % 120;
    const AppendResult r = append(*log, make_batch(records, value_bytes, i));
    expected.push_back({r.base_offset.value, r.last_offset.value + 1, 0});
  }
  REQUIRE(log->segment_count() > 2);
  // The sparse index has entries (it is not just scanning from each segment start).
  REQUIRE(std::filesystem::file_size(dir / segment_file(Offset{0}, ".index")) > 8);

  auto check_all_offsets = [&](const PartitionLog& l) {
    size_t batch = 0;
    for (int64_t offset = 0; offset < l.log_end_offset().value; ++offset) {
      while (expected[batch].next_offset <= offset) ++batch;
      const ReadResult r = read(l, Offset{offset}, 1);
      const auto spans = batch_spans(r.bytes);
      REQUIRE(spans.size() == 1);
      REQUIRE(spans[0].base_offset == expected[batch].base_offset);
      REQUIRE(spans[0].next_offset == expected[batch].next_offset);
    }
  };
  check_all_offsets(*log);
  REQUIRE(log->close().ok());
  log.reset();
  check_all_offsets(*open_log(dir.path(), config));  // indexes as loaded from disk
}
