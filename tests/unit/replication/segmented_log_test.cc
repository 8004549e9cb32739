// SegmentedLog: the Raft log over storage's PartitionLog — one batch per entry, the term in the partition
// leader epoch, Kafka offsets as positions, control batches for Raft's own entries.
#include <unistd.h>

#include <filesystem>

#include <catch2/catch.hpp>

#include "millrace/protocol/record_batch.h"
#include "millrace/replication/control_batch.h"
#include "millrace/replication/segmented_log.h"
#include "millrace/storage/partition_log.h"
#include "test_cluster.h"

using namespace millrace;
using namespace millrace::replication;
using namespace millrace::replication::test;

namespace {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "millrace-raft-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::unique_ptr<storage::PartitionLog> open_partition(const std::filesystem::path& dir) {
  auto log = storage::PartitionLog::open(dir, storage::LogConfig{});
  REQUIRE(log.ok());
  return std::move(log).value();
}

Entry entry_at(int64_t base, int32_t term, int records = 1) {
  Buffer batch = data_batch("t" + std::to_string(term) + "@" + std::to_string(base), records);
  protocol::set_base_offset(batch, base);
  protocol::set_partition_leader_epoch(batch, term);
  return Entry::from_batch(std::move(batch)).value();
}

Entry configuration_entry_at(int64_t base, int32_t term, const Configuration& configuration) {
  Buffer batch = make_configuration_batch(configuration);
  protocol::set_base_offset(batch, base);
  protocol::set_partition_leader_epoch(batch, term);
  return Entry::from_batch(std::move(batch)).value();
}

// Drives a single-voter RaftNode over `log` until nothing is pending, flushing through storage.
void run(RaftNode& node, SegmentedLog& log) {
  for (int round = 0; round < 10; ++round) {
    while (node.has_ready()) REQUIRE(apply_log_ops(log, node.take_ready().log_ops).ok());
    const storage::FlushJob job = log.prepare_flush();
    REQUIRE(job.run().ok());
    log.complete_flush(job);
    node.on_flushed(log.flushed_offset());
  }
}

}  // namespace

TEST_CASE("a leader over the segmented log writes terms as epochs, offsets as positions, control no-ops") {
  TempDir dir;
  auto partition = open_partition(dir.path());
  auto log = SegmentedLog::open(*partition, std::nullopt);
  REQUIRE(log.ok());
  RaftConfig config;
  RaftNode node(config, **log, HardState{}, Configuration::of_voters({NodeId{0}}));
  node.campaign();
  run(node, **log);
  REQUIRE(node.is_leader());
  auto offset = node.propose(data_batch("three", 3));
  REQUIRE(offset.ok());
  CHECK(*offset == Offset{1});
  run(node, **log);
  CHECK(node.commit_end() == Offset{4});
  CHECK(partition->log_end_offset() == Offset{4});
  CHECK(partition->flushed_offset() == Offset{4});

  auto bytes = partition->read(Offset{0}, 1 << 20, partition->log_end_offset());
  REQUIRE(bytes.ok());
  const auto noop = protocol::read_batch_header(bytes->bytes);
  CHECK(noop.is_control());
  CHECK(noop.base_offset == 0);
  CHECK(noop.partition_leader_epoch == 1);
  CHECK(control_type(bytes->bytes) == kControlTypeTermStart);
  const auto data =
      protocol::read_batch_header(ByteView(bytes->bytes).subspan(static_cast<size_t>(noop.size_bytes())));
  CHECK_FALSE(data.is_control());
  CHECK(data.base_offset == 1);
  CHECK(data.last_offset() == 3);
  CHECK(data.partition_leader_epoch == 1);
}

TEST_CASE("the segmented log answers terms, truncates a suffix, and rebuilds its indexes on reopen") {
  TempDir dir;
  const Configuration two = Configuration::of_voters({NodeId{0}, NodeId{1}});
  {
    auto partition = open_partition(dir.path());
    auto log = SegmentedLog::open(*partition, std::nullopt);
    REQUIRE(log.ok());
    REQUIRE((*log)->append({entry_at(0, 1, 2), entry_at(2, 1), configuration_entry_at(3, 2, two)}).ok());
    REQUIRE((*log)->append({entry_at(4, 2, 3), entry_at(7, 3)}).ok());
    CHECK((*log)->end_offset() == Offset{8});
    CHECK((*log)->term_at(Offset{1}) == Term{1});
    CHECK((*log)->term_at(Offset{5}) == Term{2});
    CHECK((*log)->term_at(Offset{-1}) == Term{0});
    CHECK((*log)->term_first_offset(Offset{6}) == Offset{3});
    REQUIRE((*log)->configuration_entries().size() == 1);
    CHECK(configuration_of((*log)->configuration_entries()[0]).value() == two);
    auto entries = (*log)->read(Offset{5}, 0);  // the entry holding 5, at least
    REQUIRE(entries.ok());
    REQUIRE(entries->size() == 1);
    CHECK(entries->front().base_offset == Offset{4});

    CHECK_FALSE((*log)->truncate_suffix(Offset{5}).ok());  // inside a batch
    REQUIRE((*log)->truncate_suffix(Offset{3}).ok());
    CHECK((*log)->end_offset() == Offset{3});
    CHECK((*log)->configuration_entries().empty());
    REQUIRE((*log)->append({entry_at(3, 4)}).ok());
    const storage::FlushJob job = (*log)->prepare_flush();
    REQUIRE(job.run().ok());
    (*log)->complete_flush(job);
    CHECK((*log)->flushed_offset() == Offset{4});
  }
  auto partition = open_partition(dir.path());
  auto log = SegmentedLog::open(*partition, std::nullopt);
  REQUIRE(log.ok());
  CHECK((*log)->end_offset() == Offset{4});
  CHECK((*log)->term_at(Offset{2}) == Term{1});
  CHECK((*log)->term_at(Offset{3}) == Term{4});
  CHECK((*log)->configuration_entries().empty());
}

TEST_CASE("a snapshot reset starts the segmented log afresh, and the prefix hook moves its start") {
  TempDir dir;
  auto partition = open_partition(dir.path());
  auto log = SegmentedLog::open(*partition, std::nullopt);
  REQUIRE(log.ok());
  REQUIRE((*log)->append({entry_at(0, 1), entry_at(1, 1), entry_at(2, 2)}).ok());
  const Configuration one = Configuration::of_voters({NodeId{0}});
  REQUIRE((*log)->truncate_prefix(LogStart{Offset{2}, Term{1}, one}).ok());
  CHECK((*log)->start_offset() == Offset{2});
  CHECK((*log)->term_at(Offset{1}) == Term{1});
  CHECK_FALSE((*log)->read(Offset{0}, 0).ok());

  REQUIRE((*log)->reset(LogStart{Offset{100}, Term{5}, one}).ok());
  CHECK(partition->log_start_offset() == Offset{100});
  CHECK((*log)->end_offset() == Offset{100});
  CHECK((*log)->flushed_offset() == Offset{100});
  CHECK((*log)->term_at(Offset{99}) == Term{5});
  REQUIRE((*log)->append({entry_at(100, 5)}).ok());
  CHECK((*log)->end_offset() == Offset{101});

  // Reopening needs the Raft start, which the broker persists.
  CHECK_FALSE(SegmentedLog::open(*partition, std::nullopt).ok());
  auto reopened = SegmentedLog::open(*partition, LogStart{Offset{100}, Term{5}, one});
  REQUIRE(reopened.ok());
  CHECK((*reopened)->term_at(Offset{100}) == Term{5});
}
