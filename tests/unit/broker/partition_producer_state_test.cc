// PartitionProducerState: rebuilding from the log, snapshots (round trip, corruption, truncation), expiry.
#include <catch2/catch.hpp>
#include <fstream>

#include "idempotence_test_support.h"
#include "millrace/broker/partition_producer_state.h"
#include "millrace/broker/producer_snapshot_file.h"
#include "millrace/protocol/errc.h"

using namespace millrace;
using namespace millrace::broker;
using namespace millrace::broker::test;

namespace {

// Checks, appends and records one batch, as Partition::append does.
void produce(PartitionProducerState& state, storage::PartitionLog& log, Buffer batch) {
  auto checked = state.check(ByteView(batch));
  REQUIRE(checked.ok());
  REQUIRE_FALSE(checked->duplicate);
  REQUIRE(log.append(MutableByteView(batch)).ok());
  state.record(ByteView(batch));
}

// Three producers, some plain batches, more than five batches for producer 1.
void produce_mix(PartitionProducerState& state, storage::PartitionLog& log, int32_t from_batch,
                 int32_t to_batch) {
  for (int32_t i = from_batch; i < to_batch; ++i) {
    produce(state, log, producer_batch(1, 0, i * 2));
    if (i % 3 == 0) produce(state, log, producer_batch(-1, -1, -1));
    if (i < 3) produce(state, log, producer_batch(2, 4, i * 2));
  }
}

void corrupt(const std::filesystem::path& file) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(20);
  f.put('\x5a');
}

}  // namespace

TEST_CASE("state rebuilt from the log equals the live state") {
  TempDir dir;
  auto log = open_log(dir.path());
  PartitionProducerState live(dir.path(), 1LL << 40);
  REQUIRE(live.load(*log).ok());
  produce_mix(live, *log, 0, 9);
  PartitionProducerState rebuilt(dir.path(), 1LL << 40);
  REQUIRE(rebuilt.load(*log).ok());
  CHECK(rebuilt.table() == live.table());
  CHECK(rebuilt.table().producers().size() == 2);
  CHECK(rebuilt.table().producers().at(1).batches.size() == kProducerBatchesRetained);
  // And it judges a retry of a retained batch as the live one does.
  auto dup = rebuilt.check(ByteView(producer_batch(1, 0, 16)));
  REQUIRE(dup.ok());
  REQUIRE(dup->duplicate);
  CHECK(dup->duplicate->first_offset == live.table().producers().at(1).batches.back().first_offset);
}

TEST_CASE("a snapshot round-trips and the rebuild continues from it") {
  TempDir dir;
  auto log = open_log(dir.path());
  PartitionProducerState live(dir.path(), 1LL << 40);
  REQUIRE(live.load(*log).ok());
  produce_mix(live, *log, 0, 4);
  REQUIRE(live.snapshot(*log).ok());
  const Offset snapshot_at = log->log_end_offset();
  REQUIRE(ProducerSnapshotFile::list(dir.path()) == std::vector<Offset>{snapshot_at});
  auto read = ProducerSnapshotFile::read(dir.path(), snapshot_at);
  REQUIRE(read);
  CHECK(read->table == live.table());

  produce_mix(live, *log, 4, 8);
  PartitionProducerState rebuilt(dir.path(), 1LL << 40);
  REQUIRE(rebuilt.load(*log).ok());
  CHECK(rebuilt.table() == live.table());

  SECTION("the snapshot is what the rebuild starts from") {
    // Prove it: a snapshot claiming a producer the log never saw shows up in the rebuilt state.
    ProducerSnapshot doctored{snapshot_at, read->table};
    doctored.table.restore(99, ProducerEntry{0, 1, {{0, 0, Offset{0}, Offset{0}}}});
    REQUIRE(ProducerSnapshotFile::write(dir.path(), doctored).ok());
    PartitionProducerState from_snapshot(dir.path(), 1LL << 40);
    REQUIRE(from_snapshot.load(*log).ok());
    CHECK(from_snapshot.table().producers().contains(99));
  }
}

TEST_CASE("a corrupt snapshot falls back to an older one or to the whole log") {
  TempDir dir;
  auto log = open_log(dir.path());
  PartitionProducerState live(dir.path(), 1LL << 40);
  REQUIRE(live.load(*log).ok());
  produce_mix(live, *log, 0, 3);
  REQUIRE(live.snapshot(*log).ok());
  produce_mix(live, *log, 3, 6);
  REQUIRE(live.snapshot(*log).ok());
  produce_mix(live, *log, 6, 8);
  const auto snapshots = ProducerSnapshotFile::list(dir.path());
  REQUIRE(snapshots.size() == 2);
  corrupt(ProducerSnapshotFile::path_for(dir.path(), snapshots.back()));
  CHECK_FALSE(ProducerSnapshotFile::read(dir.path(), snapshots.back()));
  PartitionProducerState older(dir.path(), 1LL << 40);
  REQUIRE(older.load(*log).ok());
  CHECK(older.table() == live.table());
  corrupt(ProducerSnapshotFile::path_for(dir.path(), snapshots.front()));
  PartitionProducerState whole_log(dir.path(), 1LL << 40);
  REQUIRE(whole_log.load(*log).ok());
  CHECK(whole_log.table() == live.table());
}

TEST_CASE("a snapshot above the log end is removed: the log was truncated below it") {
  TempDir dir;
  auto log = open_log(dir.path());
  PartitionProducerState live(dir.path(), 1LL << 40);
  REQUIRE(live.load(*log).ok());
  produce_mix(live, *log, 0, 2);
  const Offset cut = log->log_end_offset();
  produce_mix(live, *log, 2, 4);
  REQUIRE(live.snapshot(*log).ok());
  REQUIRE(log->truncate_to(cut).ok());
  REQUIRE(live.truncated(*log).ok());
  CHECK(ProducerSnapshotFile::list(dir.path()).empty());
  // Producer 1's batches after the cut are gone: its next expected sequence is the one after the cut.
  CHECK(live.table().producers().at(1).batches.back().last_sequence == 3);
  CHECK(live.check(ByteView(producer_batch(1, 0, 4))).ok());
}

TEST_CASE("several batches for a partition are refused when one is idempotent") {
  TempDir dir;
  PartitionProducerState state(dir.path(), 1LL << 40);
  Buffer two = producer_batch(1, 0, 0);
  const Buffer second = producer_batch(1, 0, 2);
  two.insert(two.end(), second.begin(), second.end());
  auto checked = state.check(ByteView(two));
  REQUIRE_FALSE(checked.ok());
  CHECK(checked.error().code == protocol::errc::invalid_record);
  Buffer plain = producer_batch(-1, -1, -1);
  const Buffer plain2 = producer_batch(-1, -1, -1);
  plain.insert(plain.end(), plain2.begin(), plain2.end());
  CHECK(state.check(ByteView(plain)).ok());
}

TEST_CASE("expiry forgets idle producers and the next snapshot records that") {
  TempDir dir;
  auto log = open_log(dir.path());
  PartitionProducerState live(dir.path(), 60'000);
  REQUIRE(live.load(*log).ok());
  produce(live, *log, producer_batch(1, 0, 0, 2, 1'000'000));
  produce(live, *log, producer_batch(2, 0, 0, 2, 1'050'000));
  live.expire(1'070'000);
  CHECK_FALSE(live.table().producers().contains(1));
  CHECK(live.table().producers().contains(2));
  REQUIRE(live.snapshot(*log).ok());
  auto read = ProducerSnapshotFile::read(dir.path(), log->log_end_offset());
  REQUIRE(read);
  CHECK(read->table == live.table());
}

TEST_CASE("snapshots are written only when something changed, and only the newest are kept") {
  TempDir dir;
  auto log = open_log(dir.path());
  PartitionProducerState live(dir.path(), 1LL << 40);
  REQUIRE(live.load(*log).ok());
  REQUIRE(live.snapshot(*log).ok());
  CHECK(ProducerSnapshotFile::list(dir.path()).empty());  // empty log, no producers: nothing to say
  for (int i = 0; i < 4; ++i) {
    produce(live, *log, producer_batch(1, 0, i * 2));
    REQUIRE(live.snapshot(*log).ok());
  }
  const auto kept = ProducerSnapshotFile::list(dir.path());
  CHECK(kept.size() == 2);
  CHECK(kept.back() == log->log_end_offset());
  const auto mtime =
      std::filesystem::last_write_time(ProducerSnapshotFile::path_for(dir.path(), kept.back()));
  REQUIRE(live.snapshot(*log).ok());
  CHECK(std::filesystem::last_write_time(ProducerSnapshotFile::path_for(dir.path(), kept.back())) == mtime);
}
