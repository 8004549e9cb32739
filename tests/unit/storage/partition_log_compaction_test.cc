// Log compaction through PartitionLog: latest record per key at unchanged offsets, tombstones and
// delete.retention.ms, control batches, zero-record batches, abandoned passes, and crashes at every step of
// the swap.
#include <thread>

#include "cleaner_checkpoint_file.h"
#include "compaction_test_support.h"
#include "millrace/storage/disk_format.h"

using namespace millrace;
using namespace millrace::storage;
using namespace millrace::storage::test;

namespace {

LogConfig small_segments() {
  LogConfig config;
  config.segment_bytes = 1024;
  config.index_interval_bytes = 128;
  return config;
}

// Appends `count` single-record batches cycling through `keys` keys: key "k<i % keys>", value "v<i>".
void produce_cycling(PartitionLog& log, int count, int keys, int first = 0) {
  for (int i = first; i < first + count; ++i) {
    append(log, keyed_batch({{"k" + std::to_string(i % keys), "v" + std::to_string(i)}}));
  }
}

// What a pass that mapped [0, mapped_up_to) must leave: below it the latest record of each key (by offset,
// latest overall among offsets below mapped_up_to), everything at or after it unchanged.
std::map<int64_t, KeyedRecord> expected_after(const std::map<int64_t, KeyedRecord>& before,
                                              int64_t mapped_up_to) {
  std::map<std::string, int64_t> latest;
  for (const auto& [offset, r] : before) {
    if (offset < mapped_up_to) latest[r.key] = offset;
  }
  std::map<int64_t, KeyedRecord> out;
  for (const auto& [offset, r] : before) {
    if (offset >= mapped_up_to || latest[r.key] == offset) out[offset] = r;
  }
  return out;
}

void check_same(const std::map<int64_t, KeyedRecord>& actual,
                const std::map<int64_t, KeyedRecord>& expected) {
  REQUIRE(actual.size() == expected.size());
  for (const auto& [offset, r] : expected) {
    INFO("offset " << offset);
    REQUIRE(actual.count(offset) == 1);
    CHECK(actual.at(offset).key == r.key);
    CHECK(actual.at(offset).value == r.value);
  }
}

}  // namespace

TEST_CASE("compaction keeps the latest record of each key at its original offset") {
  TempDir dir;
  auto log = open_log(dir.path(), small_segments());
  produce_cycling(*log, 300, 7);
  const auto before = by_offset(read_all_records(*log));
  const int64_t size_before = log->size_bytes();
  const Offset end_before = log->log_end_offset();

  const CleaningStats stats = clean(*log, clean_everything());
  CHECK(stats.swapped);
  CHECK(stats.segments_rewritten > 0);
  CHECK(stats.records_removed > 250);
  REQUIRE(stats.mapped_up_to.value > 250);   // every closed segment
  REQUIRE(stats.mapped_up_to < end_before);  // not the active one

  const auto expected = expected_after(before, stats.mapped_up_to.value);
  check_same(by_offset(read_all_records(*log)), expected);
  CHECK(log->log_end_offset() == end_before);
  CHECK(log->log_start_offset() == Offset{0});
  CHECK(log->size_bytes() < size_before / 3);
  CHECK_FALSE(has_cleaned_files(dir.path()));

  // Appends go on after the swap, and the log reopens the same (cleanly, and after a crash).
  produce_cycling(*log, 10, 7, 300);
  auto with_new = expected;
  for (int i = 300; i < 310; ++i)
    with_new[i] = KeyedRecord{"k" + std::to_string(i % 7), "v" + std::to_string(i)};
  check_same(by_offset(read_all_records(*log)), with_new);
  REQUIRE(log->close().ok());
  log = open_log(dir.path(), small_segments());
  check_same(by_offset(read_all_records(*log)), with_new);
  log.reset();  // a crash: no close()
  log = open_log(dir.path(), small_segments());
  check_same(by_offset(read_all_records(*log)), with_new);
}

TEST_CASE("a second pass over new data removes what the new data supersedes, and is idempotent") {
  TempDir dir;
  auto log = open_log(dir.path(), small_segments());
  produce_cycling(*log, 200, 5);
  clean(*log, clean_everything());
  produce_cycling(*log, 200, 5, 200);
  const auto before = by_offset(read_all_records(*log));
  const CleaningStats second = clean(*log, clean_everything());
  check_same(by_offset(read_all_records(*log)), expected_after(before, second.mapped_up_to.value));
  // Nothing dirty is left: no pass is due.
  CHECK_FALSE(log->prepare_cleaning(clean_everything()).has_value());
}

TEST_CASE("the dirty ratio decides whether a pass is due") {
  TempDir dir;
  auto log = open_log(dir.path(), small_segments());
  CHECK_FALSE(log->prepare_cleaning(clean_everything()).has_value());  // only an active segment
  produce_cycling(*log, 200, 5);
  auto options = clean_everything();
  options.clean_up_to = Offset{0};  // nothing committed yet
  CHECK_FALSE(log->prepare_cleaning(options).has_value());
  clean(*log, clean_everything());
  produce_cycling(*log, 40, 5, 200);  // a little new dirty data against a clean log
  options = clean_everything();
  options.min_dirty_ratio = 0.99;
  CHECK_FALSE(log->prepare_cleaning(options).has_value());
  options.min_dirty_ratio = 0.01;
  auto job = log->prepare_cleaning(options);
  REQUIRE(job.has_value());
  CHECK_FALSE(log->prepare_cleaning(options).has_value());  // one pass at a time
  REQUIRE(job->run().ok());
  REQUIRE(log->finish_cleaning(*job).ok());
}

TEST_CASE("tombstones stay until delete.retention.ms has passed, then go") {
  TempDir dir;
  auto log = open_log(dir.path(), small_segments());
  const int64_t t0 = kCompactionNowMs;
  append(*log, keyed_batch({{"gone", "v1"}, {"kept", "k1"}}, t0));
  append(*log, keyed_batch({{"gone", "v2"}}, t0));
  append(*log, keyed_batch({{"gone", std::nullopt}}, t0 + 1000));  // offset 3: the tombstone
  produce_cycling(*log, 60, 3);                                    // filler keys "k0".."k2" to close segments

  auto options = clean_everything(t0 + 1000 + 30'000);  // the tombstone is 30 s old: younger than 60 s
  clean(*log, options);
  auto records = by_offset(read_all_records(*log));
  CHECK(records.count(0) == 0);  // "gone" = v1 superseded
  CHECK(records.count(1) == 1);  // "kept"
  CHECK(records.count(2) == 0);  // "gone" = v2 superseded
  REQUIRE(records.count(3) == 1);
  CHECK_FALSE(records.at(3).value.has_value());  // the tombstone itself is kept

  // Later, with nothing new to map, the pass is due because of the tombstone alone.
  options = clean_everything(t0 + 1000 + 61'000);
  options.min_dirty_ratio = 1.0;
  const CleaningStats stats = clean(*log, options);
  CHECK(stats.tombstones_removed == 1);
  records = by_offset(read_all_records(*log));
  CHECK(records.count(3) == 0);
  CHECK(records.count(1) == 1);
  // And then nothing is due any more.
  CHECK_FALSE(log->prepare_cleaning(options).has_value());
}

TEST_CASE("emptied batches keep the offsets dense, control batches are never removed") {
  TempDir dir;
  auto log = open_log(dir.path(), small_segments());
  // Batches of two records each, epochs 1,1,(control),1,2,2: all superseded by the later "a"/"b" writes.
  auto with_epoch = [](Buffer batch, int32_t epoch) {
    protocol::set_partition_leader_epoch(batch, epoch);
    return batch;
  };
  append(*log, with_epoch(keyed_batch({{"a", "1"}, {"b", "1"}}), 1));  // 0-1
  append(*log, with_epoch(keyed_batch({{"a", "2"}, {"b", "2"}}), 1));  // 2-3
  append(*log, with_epoch(control_batch(), 1));                        // 4
  append(*log, with_epoch(keyed_batch({{"a", "3"}, {"b", "3"}}), 1));  // 5-6
  append(*log, with_epoch(keyed_batch({{"a", "4"}, {"b", "4"}}), 2));  // 7-8
  append(*log, with_epoch(keyed_batch({{"a", "5"}, {"b", "5"}}), 2));  // 9-10
  for (int i = 0; i < 30; ++i)
    append(*log, with_epoch(keyed_batch({{"a", "x" + std::to_string(i)}, {"b", "y"}}), 2));
  clean(*log, clean_everything());

  const Buffer bytes = read_all_bytes(*log);
  std::vector<protocol::RecordBatchHeader> headers;
  for (size_t at = 0; at < bytes.size();) {
    headers.push_back(protocol::read_batch_header(ByteView(bytes).subspan(at)));
    REQUIRE(protocol::scan_batch(ByteView(bytes).subspan(at), 1 << 20).status ==
            protocol::ScanStatus::complete);
    at += static_cast<size_t>(headers.back().size_bytes());
  }
  // [0,4) one empty batch (two coalesced, epoch 1); the control batch; [5,7) empty epoch 1; [7,...) epoch 2.
  REQUIRE(headers.size() >= 4);
  CHECK(headers[0].base_offset == 0);
  CHECK(headers[0].next_offset() == 4);
  CHECK(headers[0].record_count == 0);
  CHECK(headers[0].partition_leader_epoch == 1);
  CHECK(headers[1].is_control());
  CHECK(headers[1].base_offset == 4);
  CHECK(headers[1].record_count == 1);
  CHECK(headers[2].base_offset == 5);
  CHECK(headers[2].next_offset() == 7);
  CHECK(headers[2].record_count == 0);
  CHECK(headers[3].base_offset == 7);
  CHECK(headers[3].partition_leader_epoch == 2);
  CHECK(headers[3].record_count == 0);
  // Reading from an offset inside a coalesced batch returns that batch.
  const ReadResult inside = read(*log, Offset{2});
  CHECK(protocol::read_batch_header(inside.bytes).base_offset == 0);
  // Consumers decode zero-record batches as nothing.
  std::vector<protocol::Record> records;
  REQUIRE(protocol::decode_records(inside.bytes, 2, records).ok());
  for (const auto& r : records) CHECK(r.offset >= 7);
}

TEST_CASE("a small key map cleans over several passes and converges") {
  TempDir dir;
  auto log = open_log(dir.path(), small_segments());
  // 2000 distinct keys, each written twice: more than one pass's map (768 keys at the minimum size).
  for (int round = 0; round < 2; ++round) {
    for (int k = 0; k < 2000; k += 4) {
      std::vector<KeyedRecord> batch;
      for (int j = k; j < k + 4; ++j)
        batch.push_back({"key" + std::to_string(j), "r" + std::to_string(round)});
      append(*log, keyed_batch(batch));
    }
  }
  append(*log, keyed_batch({{"last", "x"}}));
  REQUIRE(log->roll_if_older(0, 0).ok());  // close the segment holding "last" too
  auto options = clean_everything();
  options.key_map_bytes = 1;  // the minimum: 768 keys
  int passes = 0;
  while (auto job = log->prepare_cleaning(options)) {
    REQUIRE(job->run().ok());
    REQUIRE(log->finish_cleaning(*job).ok());
    REQUIRE(++passes < 20);
  }
  CHECK(passes >= 3);
  const auto records = by_offset(read_all_records(*log));
  REQUIRE(records.size() == 2001);
  for (const auto& [offset, r] : records) {
    if (r.key != "last") CHECK(r.value == std::optional<std::string>("r1"));
  }
}

TEST_CASE("a pass is abandoned when retention or a truncation changed its segments meanwhile") {
  TempDir dir;
  auto log = open_log(dir.path(), small_segments());
  produce_cycling(*log, 200, 5);
  const auto before = by_offset(read_all_records(*log));

  SECTION("retention") {
    auto job = log->prepare_cleaning(clean_everything());
    REQUIRE(job.has_value());
    REQUIRE(job->run().ok());
    REQUIRE(log->apply_retention(kCompactionNowMs, -1, 2048)->segments_deleted > 0);
    auto finished = log->finish_cleaning(*job);
    REQUIRE(finished.ok());
    CHECK_FALSE(finished->swapped);
    CHECK_FALSE(finished->abandoned.empty());
  }
  SECTION("truncation") {
    auto job = log->prepare_cleaning(clean_everything());
    REQUIRE(job.has_value());
    REQUIRE(job->run().ok());
    REQUIRE(log->truncate_to(Offset{150}).ok());
    auto finished = log->finish_cleaning(*job);
    REQUIRE(finished.ok());
    CHECK_FALSE(finished->swapped);
    const auto after = by_offset(read_all_records(*log));
    for (const auto& [offset, r] : after) CHECK(before.at(offset).value == r.value);
  }
  CHECK_FALSE(has_cleaned_files(dir.path()));
  // The next pass works.
  auto job = log->prepare_cleaning(clean_everything());
  REQUIRE(job.has_value());
  REQUIRE(job->run().ok());
  REQUIRE(log->finish_cleaning(*job)->swapped);
}

TEST_CASE("a truncation lowers the cleaner checkpoint") {
  TempDir dir;
  auto log = open_log(dir.path(), small_segments());
  produce_cycling(*log, 200, 5);
  const CleaningStats stats = clean(*log, clean_everything());
  CHECK(CleanerCheckpointFile::read(dir.path()).clean_up_to == stats.mapped_up_to);
  // A batch boundary below the checkpoint (after cleaning, batches may span several offsets).
  const auto spans = batch_spans(read_all_bytes(*log));
  const Offset cut{spans[spans.size() / 3].base_offset};
  REQUIRE(cut < stats.mapped_up_to);
  REQUIRE(log->truncate_to(cut).ok());
  CHECK(CleanerCheckpointFile::read(dir.path()).clean_up_to == cut);
}

TEST_CASE("a crash during a pass loses and duplicates nothing") {
  TempDir dir;
  auto log = open_log(dir.path(), small_segments());
  produce_cycling(*log, 300, 7);
  const auto before = by_offset(read_all_records(*log));
  auto job = log->prepare_cleaning(clean_everything());
  REQUIRE(job.has_value());
  REQUIRE(job->run().ok());
  const int64_t mapped_up_to = job->stats().mapped_up_to.value;
  REQUIRE(has_cleaned_files(dir.path()));

  SECTION("before the commit: the pass is rolled back") {
    log.reset();
    log = open_log(dir.path(), small_segments());
    CHECK_FALSE(has_cleaned_files(dir.path()));
    check_same(by_offset(read_all_records(*log)), before);
  }
  SECTION("after the commit marker, before any rename: the swap is finished") {
    std::ofstream(dir / std::string(disk_format::kCleanerCommitName)).close();
    log.reset();
    log = open_log(dir.path(), small_segments());
    CHECK_FALSE(has_cleaned_files(dir.path()));
    CHECK_FALSE(std::filesystem::exists(dir / std::string(disk_format::kCleanerCommitName)));
    check_same(by_offset(read_all_records(*log)), expected_after(before, mapped_up_to));
  }
  SECTION("half-way through the renames: the swap is finished") {
    std::ofstream(dir / std::string(disk_format::kCleanerCommitName)).close();
    int renamed = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
      const std::string name = entry.path().filename().string();
      if (name.ends_with(".log.cleaned") && renamed++ == 0) {
        // The first segment's .index and .log are swapped, its .timeindex is not.
        const std::string base = name.substr(0, name.size() - std::string(".log.cleaned").size());
        std::filesystem::rename(dir / (base + ".index.cleaned"), dir / (base + ".index"));
        std::filesystem::rename(entry.path(), dir / (base + ".log"));
      }
    }
    REQUIRE(renamed > 1);
    log.reset();
    log = open_log(dir.path(), small_segments());
    check_same(by_offset(read_all_records(*log)), expected_after(before, mapped_up_to));
  }
  SECTION("after the swap, before the checkpoint: the next pass redoes the mapping") {
    REQUIRE(log->finish_cleaning(*job)->swapped);
    std::filesystem::remove(dir / std::string(disk_format::kCleanerCheckpointName));
    log.reset();
    log = open_log(dir.path(), small_segments());
    check_same(by_offset(read_all_records(*log)), expected_after(before, mapped_up_to));
    clean(*log, clean_everything());
    check_same(by_offset(read_all_records(*log)), expected_after(before, mapped_up_to));
  }
}

TEST_CASE("a flush job holding a replaced segment's files still runs") {
  TempDir dir;
  auto log = open_log(dir.path(), small_segments());
  produce_cycling(*log, 200, 5);
  FlushJob flush = log->prepare_flush();
  clean(*log, clean_everything());
  CHECK(flush.run().ok());
  log->mark_flushed(flush);
  CHECK(log->flushed_offset() == log->log_end_offset());
}

TEST_CASE("appends, rolls and reads go on while a pass runs on another thread") {
  TempDir dir;
  auto log = open_log(dir.path(), small_segments());
  produce_cycling(*log, 300, 7);
  auto job = log->prepare_cleaning(clean_everything());
  REQUIRE(job.has_value());
  Status ran;
  std::thread cleaner([&] { ran = job->run(); });
  // Meanwhile the owner appends (rolling new segments) and reads.
  for (int i = 300; i < 500; ++i) {
    append(*log, keyed_batch({{"k" + std::to_string(i % 7), "v" + std::to_string(i)}}));
    if (i % 50 == 0) CHECK_FALSE(read(*log, Offset{i - 100}).bytes.empty());
  }
  cleaner.join();
  REQUIRE(ran.ok());
  const auto before = by_offset(read_all_records(*log));
  auto finished = log->finish_cleaning(*job);
  REQUIRE(finished.ok());
  CHECK(finished->swapped);
  check_same(by_offset(read_all_records(*log)), expected_after(before, finished->mapped_up_to.value));
  // The segments closed during the pass are dirty: the next pass cleans them.
  const CleaningStats next = clean(*log, clean_everything());
  CHECK(next.mapped_up_to > finished->mapped_up_to);
}
