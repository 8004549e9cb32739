// Partition::append with idempotent producers: duplicates are answered with the original offsets and not
// written, refused batches are not written, and the state survives reopening the partition.
#include <catch2/catch.hpp>
#include <optional>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "idempotence_test_support.h"
#include "millrace/broker/flusher.h"
#include "millrace/broker/partition.h"
#include "millrace/protocol/errc.h"
#include "millrace/protocol/list_offsets.h"

using namespace millrace;
using namespace millrace::broker;
using namespace millrace::broker::test;

namespace {

constexpr int64_t kExpirationMs = 1LL << 40;

struct Fixture {
  TempDir dir;
  boost::asio::io_context io;
  Flusher flusher{io};

  std::shared_ptr<Partition> open(FlushPolicy policy = FlushPolicy::interval) {
    return std::make_shared<Partition>("t", PartitionId{0}, open_log(dir.path()), EffectiveTopicConfig{},
                                       policy, flusher, kExpirationMs);
  }
  ~Fixture() { flusher.stop(); }
};

// Appends with acks=1 (answered at once) and returns the result.
Result<storage::AppendResult> append(Partition& p, Buffer batch, int32_t acks = 1) {
  std::optional<Result<storage::AppendResult>> out;
  p.append(MutableByteView(batch), acks, [&](Result<storage::AppendResult> r) { out = std::move(r); });
  REQUIRE(out);
  return std::move(*out);
}

protocol::errc code_of(const Result<storage::AppendResult>& r) {
  REQUIRE_FALSE(r.ok());
  return static_cast<protocol::errc>(r.error().code.value());
}

}  // namespace

TEST_CASE("a retried batch is answered with its original offsets and not written again") {
  Fixture f;
  auto p = f.open();
  REQUIRE(append(*p, producer_batch(-1, -1, -1, 3)).ok());  // offsets 0..2, not idempotent
  auto first = append(*p, producer_batch(5, 0, 0, 2));
  REQUIRE(first.ok());
  CHECK(first->base_offset == Offset{3});
  REQUIRE(append(*p, producer_batch(5, 0, 2, 2)).ok());
  const Offset end = p->log().log_end_offset();
  auto retry = append(*p, producer_batch(5, 0, 0, 2));
  REQUIRE(retry.ok());
  CHECK(retry->base_offset == Offset{3});
  CHECK(retry->last_offset == Offset{4});
  CHECK(p->log().log_end_offset() == end);
  // Plain batches are never deduplicated.
  REQUIRE(append(*p, producer_batch(-1, -1, -1, 3)).ok());
  CHECK(p->log().log_end_offset() == Offset{end.value + 3});
  REQUIRE(p->close().ok());
}

TEST_CASE("out-of-order and fenced batches are refused and not written") {
  Fixture f;
  auto p = f.open();
  REQUIRE(append(*p, producer_batch(5, 3, 0, 2)).ok());
  CHECK(code_of(append(*p, producer_batch(5, 3, 4, 2))) == protocol::errc::out_of_order_sequence_number);
  CHECK(code_of(append(*p, producer_batch(5, 2, 2, 2))) == protocol::errc::invalid_producer_epoch);
  CHECK(code_of(append(*p, producer_batch(6, 0, 7, 2))) == protocol::errc::unknown_producer_id);
  CHECK(p->log().log_end_offset() == Offset{2});
  REQUIRE(p->close().ok());
}

TEST_CASE("after reopening, a retry is still recognised as a duplicate") {
  Fixture f;
  const bool clean = GENERATE(true, false);  // with a snapshot written on close, or rebuilt from the log only
  {
    auto p = f.open();
    REQUIRE(append(*p, producer_batch(5, 0, 0, 2)).ok());
    REQUIRE(append(*p, producer_batch(5, 0, 2, 2)).ok());
    if (clean) {
      REQUIRE(p->close().ok());
    } else {
      p->abandon(make_error(protocol::errc::not_leader_or_follower, "crash"));
    }
  }
  auto p = f.open();
  auto retry = append(*p, producer_batch(5, 0, 2, 2));
  REQUIRE(retry.ok());
  CHECK(retry->base_offset == Offset{2});
  CHECK(p->log().log_end_offset() == Offset{4});
  CHECK(append(*p, producer_batch(5, 0, 4, 2))->base_offset == Offset{4});
  REQUIRE(p->close().ok());
}

TEST_CASE("with acks=all a duplicate is answered only once the original is durable") {
  Fixture f;
  auto p = f.open(FlushPolicy::always);
  std::optional<Result<storage::AppendResult>> original;
  std::optional<Result<storage::AppendResult>> duplicate;
  Buffer a = producer_batch(5, 0, 0, 2);
  Buffer b = producer_batch(5, 0, 0, 2);
  p->append(MutableByteView(a), protocol::kAcksAll, [&](auto r) { original = std::move(r); });
  p->append(MutableByteView(b), protocol::kAcksAll, [&](auto r) { duplicate = std::move(r); });
  CHECK_FALSE(duplicate);                          // the original is not fsynced yet
  auto work = boost::asio::make_work_guard(f.io);  // the flusher posts its completion from its own thread
  while (!original || !duplicate) f.io.run_one();
  REQUIRE(duplicate->ok());
  CHECK((*duplicate)->base_offset == Offset{0});
  CHECK(p->log().log_end_offset() == Offset{2});
  REQUIRE(p->close().ok());
}
