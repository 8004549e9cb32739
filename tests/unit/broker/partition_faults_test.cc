// A Partition over a log on the fault-injecting file layer: what produce callers see when the disk fills up
// or an fsync fails (docs/storage.md, "Durability policies").
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "faulty_file_system.h"
#include "millrace/broker/flusher.h"
#include "millrace/broker/partition.h"
#include "millrace/protocol/errc.h"
#include "millrace/protocol/list_offsets.h"
#include "millrace/protocol/record_batch_builder.h"

using namespace millrace;
using namespace millrace::broker;
using millrace::testing::FaultyFileSystem;

namespace {

constexpr auto kStorageError = static_cast<int>(protocol::errc::kafka_storage_error);

Buffer make_batch(int records, size_t value_bytes = 0) {
  protocol::RecordBatchBuilder builder;
  for (int i = 0; i < records; ++i) {
    protocol::Record record;
    record.value = value_bytes == 0 ? "value-" + std::to_string(i) : std::string(value_bytes, 'v');
    record.timestamp_ms = 1'700'000'000'000;
    builder.append(record);
  }
  return builder.build();
}

// A partition directory, a network-thread io_context driven by the test, a Flusher, and a FaultyFileSystem.
class PartitionUnderFaults {
 public:
  explicit PartitionUnderFaults(FlushPolicy policy = FlushPolicy::always)
      : policy_(policy), work_(io_.get_executor()), flusher_(io_) {
    std::string pattern = (std::filesystem::temp_directory_path() / "millrace-partition-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    dir_ = pattern;
    open();
  }
  ~PartitionUnderFaults() {
    partition_.reset();
    flusher_.stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Opens the log (recovering it) and a Partition over it, with the policy given (default flush: always).
  void open() {
    auto log = storage::PartitionLog::open(dir_ / "t-0", storage::LogConfig{}, fs_);
    REQUIRE(log.ok());
    partition_ =
        std::make_shared<Partition>("t", PartitionId{0}, std::move(log).value(), EffectiveTopicConfig{},
                                    policy_, flusher_, BrokerConfig{}.producer_id_expiration_ms);
  }

  // Produces one batch and waits (with a deadline) for its acknowledgement.
  Result<storage::AppendResult> produce(int32_t acks, int records = 2, size_t value_bytes = 0) {
    Buffer batch = make_batch(records, value_bytes);
    std::optional<Result<storage::AppendResult>> got;
    partition_->append(batch, acks, [&](Result<storage::AppendResult> r) { got = std::move(r); });
    REQUIRE(run_until([&] { return got.has_value(); }));
    return std::move(*got);
  }

  // Runs the network thread until `done()` holds (deadline 10 s).
  template <typename Predicate>
  bool run_until(Predicate done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done() && std::chrono::steady_clock::now() < deadline)
      io_.run_one_for(std::chrono::milliseconds(10));
    return done();
  }

  FaultyFileSystem& fs() { return *fs_; }
  Partition& partition() { return *partition_; }
  void close_partition() {
    CHECK_FALSE(partition_->close().ok());
    partition_.reset();
  }
  std::filesystem::path log_dir() const { return dir_ / "t-0"; }

 private:
  FlushPolicy policy_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  Flusher flusher_;
  std::shared_ptr<FaultyFileSystem> fs_ = std::make_shared<FaultyFileSystem>();
  std::filesystem::path dir_;
  std::shared_ptr<Partition> partition_;
};

// Three quarters of kUnsyncedBytesFlush in acks=1 appends start no fsync; the fourth quarter starts one,
// which syncs everything.
void check_unsynced_bound_starts_a_flush(PartitionUnderFaults& t) {
  const size_t quarter = kUnsyncedBytesFlush / 4;
  for (int i = 0; i < 3; ++i) REQUIRE(t.produce(1, 1, quarter).ok());
  CHECK_FALSE(t.partition().flush_in_flight());
  REQUIRE(t.produce(1, 1, quarter).ok());
  CHECK(t.partition().flush_in_flight());
  const storage::PartitionLog& log = t.partition().log();
  REQUIRE(t.run_until([&] { return log.flushed_offset() == log.log_end_offset(); }));
}

int error_code_of(const Result<storage::AppendResult>& r) {
  return r.ok() ? 0 : r.error().code.value();
}

}  // namespace

TEST_CASE(
    "a failed fsync fails the waiting acks=all produce, the partition then refuses writes, serves reads") {
  PartitionUnderFaults t;
  REQUIRE(t.produce(protocol::kAcksAll).ok());

  t.fs().fail_syncs(EIO);
  auto failed = t.produce(protocol::kAcksAll);
  CHECK(error_code_of(failed) == kStorageError);
  CHECK_THAT(failed.error().message, Catch::Contains("fsync"));
  // No later fsync can prove the lost pages reached the disk: writes stay refused, even once fsync works.
  t.fs().fail_syncs(0);
  CHECK(error_code_of(t.produce(1)) == kStorageError);
  CHECK(error_code_of(t.produce(protocol::kAcksAll)) == kStorageError);
  auto read = t.partition().read(Offset{0}, 1 << 20);
  REQUIRE(read.ok());
  CHECK(read->next_offset >= Offset{2});
  // Describe tells the operator why (the write_failure feeds PartitionState::write_error).
  REQUIRE(t.partition().write_failure().has_value());
  CHECK_THAT(t.partition().write_failure()->message, Catch::Contains("restart the broker"));
  // Closing writes no clean-shutdown marker, so the next open validates the log from the recovery point.
  t.close_partition();
  CHECK_FALSE(std::filesystem::exists(t.log_dir() / ".clean-shutdown"));

  t.open();
  auto again = t.produce(protocol::kAcksAll);
  REQUIRE(again.ok());
  CHECK(again->base_offset >= Offset{2});
}

TEST_CASE(
    "disk full: the produce gets a storage error, nothing of it is visible, and it works once space "
    "returns") {
  PartitionUnderFaults t;
  REQUIRE(t.produce(protocol::kAcksAll).ok());
  const Offset end = t.partition().high_watermark();

  t.fs().set_free_bytes(20);
  CHECK(error_code_of(t.produce(protocol::kAcksAll)) == kStorageError);
  CHECK(error_code_of(t.produce(1)) == kStorageError);
  CHECK(t.partition().high_watermark() == end);

  t.fs().unlimited_space();
  auto ok = t.produce(protocol::kAcksAll);
  REQUIRE(ok.ok());
  CHECK(ok->base_offset == end);
  auto read = t.partition().read(Offset{0}, 1 << 20);
  REQUIRE(read.ok());
  CHECK(read->next_offset == Offset{4});
}

TEST_CASE(
    "flush: always: acks=1 appends start no fsync, the next group commit or the interval flush covers them") {
  PartitionUnderFaults t;
  const storage::PartitionLog& log = t.partition().log();
  REQUIRE(t.produce(1).ok());
  REQUIRE(t.produce(1).ok());
  // Nobody waits on these batches, so no fsync was started for them.
  CHECK_FALSE(t.partition().flush_in_flight());
  CHECK(log.flushed_offset() == Offset{0});

  // An acks=all produce is answered only once an fsync covers it, and that fsync covers the earlier batches.
  REQUIRE(t.produce(protocol::kAcksAll).ok());
  CHECK(log.flushed_offset() == Offset{6});
  CHECK(log.log_end_offset() == Offset{6});

  // acks=1 batches alone wait for the interval timer (flush_now), which syncs them.
  REQUIRE(t.produce(1).ok());
  CHECK_FALSE(t.partition().flush_in_flight());
  const int64_t syncs_before = t.fs().syncs();
  t.partition().flush_now();
  CHECK(t.partition().flush_in_flight());
  REQUIRE(t.run_until([&] { return log.flushed_offset() == Offset{8}; }));
  CHECK(t.fs().syncs() > syncs_before);
  // Once the group is synced and nobody waits, no further fsync is started.
  CHECK(t.run_until([&] { return !t.partition().flush_in_flight(); }));

  // Enough unsynced acks=1 bytes start an fsync without anyone waiting (kUnsyncedBytesFlush).
  check_unsynced_bound_starts_a_flush(t);
}

TEST_CASE("flush: interval: appends start no fsync until 1 MiB of the partition is unsynced") {
  PartitionUnderFaults t(FlushPolicy::interval);
  const storage::PartitionLog& log = t.partition().log();
  // acks=all does not wait for a disk under interval, and small appends start nothing.
  REQUIRE(t.produce(protocol::kAcksAll).ok());
  REQUIRE(t.produce(1).ok());
  CHECK_FALSE(t.partition().flush_in_flight());
  CHECK(log.flushed_offset() == Offset{0});
  // A steady stream is synced in steps of kUnsyncedBytesFlush, not in one sync per interval.
  check_unsynced_bound_starts_a_flush(t);
}
