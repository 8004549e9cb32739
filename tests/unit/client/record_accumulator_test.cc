// The producer's batching rules: batch_bytes cut-off, growth up to backlog_batch_bytes while a batch waits
// anyway, linger, flush, muting (one batch in flight per partition), retry backoff and re-queueing at the
// front, splitting a batch refused as too large, delivery timeout, request size limit.
#include <catch2/catch.hpp>
#include <numeric>
#include <optional>
#include <string>

#include "record_accumulator.h"

using namespace millrace;
using namespace millrace::client;
using namespace millrace::client::internal;

namespace {

constexpr size_t kBatchBytes = 1000;
constexpr int64_t kLingerMs = 5;
constexpr int64_t kDeliveryTimeoutMs = 1000;

protocol::Record record_of(size_t value_bytes) {
  protocol::Record r;
  r.value = std::string(value_bytes, 'v');
  r.timestamp_ms = 1;
  return r;
}

RecordAccumulator make_accumulator() {
  return RecordAccumulator(AccumulatorConfig{kBatchBytes, kLingerMs, kDeliveryTimeoutMs});
}

const TopicPartition kP0{"t", PartitionId{0}};
const TopicPartition kP1{"t", PartitionId{1}};
const TopicPartition kP2{"t", PartitionId{2}};

// Every partition is led by node 0, except p2, led by node 1.
std::optional<NodeId> leader(const TopicPartition& tp) {
  return tp == kP2 ? NodeId{1} : NodeId{0};
}
std::optional<NodeId> no_leader(const TopicPartition&) {
  return std::nullopt;
}

bool is_ready(const RecordAccumulator& acc, int64_t now, const TopicPartition& tp) {
  const auto r = acc.ready(now, leader);
  for (const auto& [node, partitions] : r.ready) {
    for (const auto& p : partitions) {
      if (p == tp) return true;
    }
  }
  return false;
}

}  // namespace

TEST_CASE("records share a batch until batch_bytes, then a new batch starts and the old one is ready") {
  auto acc = make_accumulator();
  const auto first = acc.append(kP0, record_of(100), {}, 0);
  CHECK(first.new_batch);
  CHECK_FALSE(first.batch_full);
  int appended = 1;
  RecordAccumulator::AppendResult last = first;
  while (true) {
    last = acc.append(kP0, record_of(100), {}, 0);
    ++appended;
    if (last.new_batch) break;
    CHECK(last.batch_id == first.batch_id);
    REQUIRE(appended < 20);
  }
  CHECK(last.batch_full);  // the first batch was cut off
  CHECK(last.batch_id != first.batch_id);
  CHECK(appended > 5);  // about 1000 / ~110 bytes per record
  CHECK(acc.queued_batch_count() == 2);
  CHECK(is_ready(acc, 0, kP0));  // before linger: the full batch goes at once

  auto drained = acc.drain({kP0}, 1 << 20);
  REQUIRE(drained.size() == 1);
  CHECK(drained[0]->id() == first.batch_id);
  CHECK(drained[0]->record_count() == static_cast<size_t>(appended - 1));
  CHECK(drained[0]->size_bytes() <= kBatchBytes);
}

TEST_CASE("a record larger than batch_bytes gets a batch of its own") {
  auto acc = make_accumulator();
  acc.append(kP0, record_of(10), {}, 0);
  const auto big = acc.append(kP0, record_of(5000), {}, 0);
  CHECK(big.new_batch);
  CHECK(big.batch_full);
  const auto after = acc.append(kP0, record_of(10), {}, 0);
  CHECK(after.new_batch);
  CHECK(acc.queued_batch_count() == 3);
}

TEST_CASE("a batch that is not full waits for linger_ms") {
  auto acc = make_accumulator();
  acc.append(kP0, record_of(10), {}, 100);
  CHECK_FALSE(is_ready(acc, 100, kP0));
  CHECK_FALSE(is_ready(acc, 100 + kLingerMs - 1, kP0));
  CHECK(acc.ready(100, leader).next_check_ms == 100 + kLingerMs);
  CHECK(is_ready(acc, 100 + kLingerMs, kP0));
}

TEST_CASE("a flush makes every batch ready at once, until it ends") {
  auto acc = make_accumulator();
  acc.append(kP0, record_of(10), {}, 0);
  CHECK_FALSE(is_ready(acc, 0, kP0));
  acc.begin_flush();
  CHECK(is_ready(acc, 0, kP0));
  acc.end_flush();
  CHECK_FALSE(is_ready(acc, 0, kP0));
  acc.set_closing();
  CHECK(is_ready(acc, 0, kP0));
}

TEST_CASE("ready partitions are grouped by leader and partitions without a leader are flagged") {
  auto acc = make_accumulator();
  for (const auto& tp : {kP0, kP1, kP2}) acc.append(tp, record_of(10), {}, 0);
  const auto r = acc.ready(kLingerMs, leader);
  REQUIRE(r.ready.size() == 2);
  CHECK(r.ready.at(NodeId{0}) == std::vector<TopicPartition>{kP0, kP1});
  CHECK(r.ready.at(NodeId{1}) == std::vector<TopicPartition>{kP2});
  CHECK_FALSE(r.unknown_leader);
  const auto none = acc.ready(kLingerMs, no_leader);
  CHECK(none.ready.empty());
  CHECK(none.unknown_leader);
}

TEST_CASE("a drained partition is muted until its batch completes") {
  auto acc = make_accumulator();
  acc.append(kP0, record_of(10), {}, 0);
  auto first = acc.drain({kP0}, 1 << 20);
  REQUIRE(first.size() == 1);
  CHECK_FALSE(first[0]->is_open());
  acc.append(kP0, record_of(10), {}, 0);
  CHECK(acc.is_muted(kP0));
  CHECK_FALSE(is_ready(acc, 1000, kP0));
  CHECK(acc.drain({kP0}, 1 << 20).empty());
  acc.release(kP0);
  CHECK(is_ready(acc, kLingerMs, kP0));
}

TEST_CASE("a retried batch goes back to the front, after its backoff") {
  auto acc = make_accumulator();
  acc.append(kP0, record_of(10), {}, 0);
  auto in_flight = acc.drain({kP0}, 1 << 20);
  REQUIRE(in_flight.size() == 1);
  const uint64_t retried_id = in_flight[0]->id();
  acc.append(kP0, record_of(10), {}, 1);  // a later batch queues behind the muted partition
  in_flight[0]->attempts = 1;
  in_flight[0]->retry_at_ms = 50;
  acc.reenqueue(std::move(in_flight[0]));
  CHECK_FALSE(acc.is_muted(kP0));
  CHECK_FALSE(is_ready(acc, 49, kP0));
  CHECK(acc.ready(10, leader).next_check_ms == 50);
  CHECK(is_ready(acc, 50, kP0));
  auto again = acc.drain({kP0}, 1 << 20);
  REQUIRE(again.size() == 1);
  CHECK(again[0]->id() == retried_id);  // order kept: the retried batch before the later one
  CHECK(acc.queued_batch_count() == 1);
}

TEST_CASE("new records never join a batch that was sent") {
  auto acc = make_accumulator();
  const auto a = acc.append(kP0, record_of(10), {}, 0);
  auto in_flight = acc.drain({kP0}, 1 << 20);
  acc.reenqueue(std::move(in_flight[0]));
  const auto b = acc.append(kP0, record_of(10), {}, 0);
  CHECK(b.new_batch);
  CHECK(b.batch_id != a.batch_id);
  CHECK_FALSE(acc.batch_accepts(kP0, a.batch_id, 10));
  CHECK(acc.batch_accepts(kP0, b.batch_id, 10));
}

TEST_CASE("batches older than delivery_timeout_ms expire") {
  auto acc = make_accumulator();
  acc.append(kP0, record_of(10), {}, 0);
  // Past linger but without a leader, the batch waits: the next check is when it expires.
  CHECK(acc.ready(kLingerMs, no_leader).next_check_ms == kDeliveryTimeoutMs);
  acc.append(kP1, record_of(10), {}, 500);
  CHECK(acc.expire(kDeliveryTimeoutMs - 1).empty());
  auto expired = acc.expire(kDeliveryTimeoutMs);
  REQUIRE(expired.size() == 1);
  CHECK(expired[0]->partition() == kP0);
  CHECK(acc.queued_batch_count() == 1);
}

TEST_CASE("a batch re-queued for a retry still expires on time, and passes in between find nothing") {
  auto acc = make_accumulator();
  acc.append(kP0, record_of(10), {}, 0);
  auto drained = acc.drain({kP0}, 1 << 20);
  REQUIRE(drained.size() == 1);
  acc.append(kP1, record_of(10), {}, 600);  // the only queued batch: expires at 1600
  CHECK(acc.expire(900).empty());
  acc.reenqueue(std::move(drained[0]));  // created at 0: expires at 1000, before the queued one
  CHECK(acc.expire(999).empty());
  auto expired = acc.expire(1000);
  REQUIRE(expired.size() == 1);
  CHECK(expired[0]->partition() == kP0);
  CHECK(acc.expire(1599).empty());
  CHECK(acc.expire(1600).size() == 1);
  CHECK(acc.queued_batch_count() == 0);
}

TEST_CASE("drain keeps a request within max_request_bytes but always takes one batch") {
  auto acc = make_accumulator();
  for (const auto& tp : {kP0, kP1, kP2}) acc.append(tp, record_of(400), {}, 0);
  auto one = acc.drain({kP0, kP1, kP2}, 10);
  CHECK(one.size() == 1);
  auto two = acc.drain({kP1, kP2}, 1000);
  CHECK(two.size() == 2);
}

TEST_CASE("abort_all empties the accumulator") {
  auto acc = make_accumulator();
  acc.append(kP0, record_of(10), {}, 0);
  acc.append(kP1, record_of(10), {}, 0);
  CHECK(acc.abort_all().size() == 2);
  CHECK(acc.queued_batch_count() == 0);
}

TEST_CASE("a batch refused as too large is split into one batch per record, in order, callbacks kept") {
  auto acc = make_accumulator();
  std::vector<int64_t> delivered;
  for (int i = 0; i < 3; ++i) {
    acc.append(kP0, record_of(10),
               PendingRecord{[&delivered, i](const DeliveryReport& r) {
                               delivered.push_back(i * 100 + r.offset.value);
                             },
                             0, 5},
               0);
  }
  acc.append(kP1, record_of(10), {}, 0);
  auto in_flight = acc.drain({kP0}, 1 << 20);
  REQUIRE(in_flight.size() == 1);
  REQUIRE(in_flight[0]->record_count() == 3);
  acc.append(kP0, record_of(10), {}, 0);  // queued behind the split records
  acc.split_and_reenqueue(std::move(in_flight[0]));
  CHECK_FALSE(acc.is_muted(kP0));
  CHECK(acc.queued_batch_count() == 5);  // 3 singles + the later p0 batch + p1
  for (int i = 0; i < 3; ++i) {
    auto single = acc.drain({kP0}, 1 << 20);
    REQUIRE(single.size() == 1);
    CHECK(single[0]->record_count() == 1);
    CHECK(single[0]->reserved_bytes() == 5);
    single[0]->close();
    single[0]->complete(Offset{7});
    acc.release(kP0);
  }
  CHECK(delivered == std::vector<int64_t>{7, 107, 207});  // each record's own callback, in send order
  CHECK(acc.queued_batch_count() == 2);
}

namespace {

RecordAccumulator make_idempotent_accumulator() {
  return RecordAccumulator(AccumulatorConfig{kBatchBytes, kLingerMs, kDeliveryTimeoutMs, 5});
}

// Appends one full batch (one record that fills it) to kP0.
void append_full_batch(RecordAccumulator& acc) {
  const auto appended = acc.append(kP0, record_of(kBatchBytes), {}, 0);
  REQUIRE(appended.batch_full);
}

}  // namespace

TEST_CASE("with idempotence a partition has up to five batches in flight") {
  auto acc = make_idempotent_accumulator();
  for (int i = 0; i < 7; ++i) append_full_batch(acc);
  for (int i = 0; i < 5; ++i) {
    auto drained = acc.drain({kP0}, 1 << 20);
    REQUIRE(drained.size() == 1);
  }
  CHECK(acc.in_flight(kP0) == 5);
  CHECK(acc.is_muted(kP0));
  CHECK(acc.drain({kP0}, 1 << 20).empty());
  acc.release(kP0);
  CHECK(acc.drain({kP0}, 1 << 20).size() == 1);
}

TEST_CASE("a stamped retry goes back in sequence order and out alone") {
  auto acc = make_idempotent_accumulator();
  for (int i = 0; i < 4; ++i) append_full_batch(acc);
  std::vector<RecordAccumulator::BatchPtr> flying;
  for (int i = 0; i < 3; ++i) {
    auto drained = acc.drain({kP0}, 1 << 20);
    REQUIRE(drained.size() == 1);
    drained[0]->stamp(7, 0, i * 10);
    drained[0]->attempts = 1;
    flying.push_back(std::move(drained[0]));
  }
  // Failures come back out of order: 2, then 0; 1 is still in flight.
  acc.reenqueue(std::move(flying[2]));
  acc.reenqueue(std::move(flying[0]));
  CHECK(acc.in_flight(kP0) == 1);
  // A retry waits until nothing of its partition is in flight.
  CHECK(acc.is_muted(kP0));
  CHECK(acc.drain({kP0}, 1 << 20).empty());
  acc.release(kP0);  // batch 1 answered
  auto first = acc.drain({kP0}, 1 << 20);
  REQUIRE(first.size() == 1);
  CHECK(first[0]->base_sequence() == 0);
  CHECK(acc.drain({kP0}, 1 << 20).empty());  // the next retry waits for this one
  acc.release(kP0);
  auto second = acc.drain({kP0}, 1 << 20);
  REQUIRE(second.size() == 1);
  CHECK(second[0]->base_sequence() == 20);
  acc.release(kP0);
  auto fresh = acc.drain({kP0}, 1 << 20);  // then the unsent batch
  REQUIRE(fresh.size() == 1);
  CHECK_FALSE(fresh[0]->is_stamped());
}

TEST_CASE("a paused partition sends nothing, take_stamped removes only stamped batches") {
  auto acc = make_idempotent_accumulator();
  for (int i = 0; i < 2; ++i) append_full_batch(acc);
  auto drained = acc.drain({kP0}, 1 << 20);
  REQUIRE(drained.size() == 1);
  drained[0]->stamp(7, 0, 0);
  acc.reenqueue(std::move(drained[0]));
  acc.pause(kP0);
  CHECK_FALSE(is_ready(acc, 1000, kP0));
  CHECK(acc.drain({kP0}, 1 << 20).empty());
  CHECK(acc.take_stamped(kP0).size() == 1);
  CHECK(acc.queued_batch_count() == 1);
  acc.resume(kP0);
  CHECK(acc.drain({kP0}, 1 << 20).size() == 1);
}

TEST_CASE("without idempotence a partition's queued batches go together, in order, but not a retry") {
  AccumulatorConfig config{kBatchBytes, kLingerMs, kDeliveryTimeoutMs};
  config.several_batches_per_request = true;
  RecordAccumulator acc(config);
  // Four full batches of p0 and an open fifth; one batch of p1.
  for (int i = 0; i < 40; ++i) acc.append(kP0, record_of(400), {}, 0);
  acc.append(kP1, record_of(100), {}, 0);
  const size_t p0_batches = acc.queued_batch_count() - 1;
  REQUIRE(p0_batches >= 4);

  // Before linger the open last batch of p0 stays; p1's only batch is not ready but goes as a front batch.
  auto first = acc.drain({kP0, kP1}, 1 << 20, 1);
  REQUIRE(first.size() == p0_batches);  // p0's full batches, then p1's
  for (size_t i = 0; i + 1 < first.size(); ++i) CHECK(first[i]->partition() == kP0);
  for (size_t i = 1; i + 1 < first.size(); ++i) CHECK(first[i]->id() > first[i - 1]->id());
  CHECK(first.back()->partition() == kP1);
  // p0 is in flight: nothing more of it goes until its batches come back.
  CHECK(acc.drain({kP0}, 1 << 20, 100).empty());

  // The request failed (the sender counted an attempt on each): its batches go back last one first, which
  // keeps their order, and each retry goes alone.
  for (auto& batch : first) ++batch->attempts;
  const uint64_t first_id = first.front()->id();
  for (auto it = first.rbegin(); it != first.rend(); ++it) acc.reenqueue(std::move(*it));
  auto retry = acc.drain({kP0}, 1 << 20, 100);
  REQUIRE(retry.size() == 1);
  CHECK(retry[0]->id() == first_id);
  acc.release(kP0);

  // Fresh batches go together again, within the request size bound.
  RecordAccumulator fresh(config);
  for (int i = 0; i < 20; ++i) fresh.append(kP0, record_of(400), {}, 0);
  auto bounded = fresh.drain({kP0}, 2 * kBatchBytes, 100);
  CHECK(bounded.size() == 2);
}

namespace {

constexpr size_t kBacklogBatchBytes = 4 * kBatchBytes;

RecordAccumulator make_growing_accumulator() {
  AccumulatorConfig config{kBatchBytes, kLingerMs, kDeliveryTimeoutMs};
  config.backlog_batch_bytes = kBacklogBatchBytes;
  return RecordAccumulator(config);
}

// Appends 100-byte records to kP0 until a new batch starts; returns how many went into the old one.
int append_until_new_batch(RecordAccumulator& acc, RecordAccumulator::AppendResult& last) {
  for (int appended = 0; appended < 100; ++appended) {
    last = acc.append(kP0, record_of(100), {}, 0);
    if (last.new_batch) return appended;
    CHECK_FALSE(last.batch_full);  // a growing batch asks for no send: it waits anyway
  }
  FAIL("no new batch after 100 records");
  return 0;
}

}  // namespace

TEST_CASE("an open batch behind a queued one grows past batch_bytes up to backlog_batch_bytes") {
  auto acc = make_growing_accumulator();
  RecordAccumulator::AppendResult last;
  acc.append(kP0, record_of(100), {}, 0);
  append_until_new_batch(acc, last);  // the first batch stops at batch_bytes: nothing waits ahead of it
  const uint64_t growing_id = last.batch_id;
  CHECK(acc.batch_accepts(kP0, growing_id, 110));
  const int grown_records = 1 + append_until_new_batch(acc, last);
  CHECK(grown_records > 30);  // about 4000 / ~110 bytes per record, against ~9 per batch_bytes
  CHECK(acc.queued_batch_count() == 3);

  auto drained = acc.drain({kP0}, 1 << 20);
  REQUIRE(drained.size() == 1);
  CHECK(drained[0]->size_bytes() <= kBatchBytes);
  acc.release(kP0);
  drained = acc.drain({kP0}, 1 << 20);
  REQUIRE(drained.size() == 1);
  CHECK(drained[0]->id() == growing_id);
  CHECK(drained[0]->record_count() == static_cast<size_t>(grown_records));
  CHECK(drained[0]->size_bytes() > 3 * kBatchBytes);
  CHECK(drained[0]->size_bytes() <= kBacklogBatchBytes);
}

TEST_CASE("a partition's only batch grows while the partition may not send and no longer once it may") {
  auto acc = make_growing_accumulator();
  acc.append(kP0, record_of(100), {}, 0);
  REQUIRE(acc.drain({kP0}, 1 << 20).size() == 1);
  REQUIRE(acc.is_muted(kP0));
  const auto open = acc.append(kP0, record_of(100), {}, 0);
  for (int i = 0; i < 20; ++i) {
    const auto appended = acc.append(kP0, record_of(100), {}, 0);
    CHECK(appended.batch_id == open.batch_id);
    CHECK_FALSE(appended.batch_full);
  }
  CHECK(acc.queued_batch_count() == 1);  // 21 records, about twice batch_bytes, in one batch

  acc.release(kP0);  // the batch in flight is answered: the open one may go now, and stops growing
  CHECK(is_ready(acc, 0, kP0));
  CHECK_FALSE(acc.batch_accepts(kP0, open.batch_id, 110));
  const auto after = acc.append(kP0, record_of(100), {}, 0);
  CHECK(after.new_batch);
  auto drained = acc.drain({kP0}, 1 << 20);
  REQUIRE(drained.size() == 1);
  CHECK(drained[0]->id() == open.batch_id);
  CHECK(drained[0]->record_count() == 21);
}

TEST_CASE(
    "a grown batch refused as too large goes back in batches of batch_bytes and those record by record") {
  auto acc = make_growing_accumulator();
  std::vector<int> delivered;
  const auto append_numbered = [&](int i) {
    acc.append(kP0, record_of(100),
               PendingRecord{[&delivered, i](const DeliveryReport&) { delivered.push_back(i); }, 0, 1}, 0);
  };
  append_numbered(0);
  auto first = acc.drain({kP0}, 1 << 20);
  REQUIRE(first.size() == 1);
  for (int i = 1; i <= 30; ++i) append_numbered(i);  // one batch of ~3300 bytes: p0 is muted
  REQUIRE(acc.queued_batch_count() == 1);
  first[0]->close();
  first[0]->complete(Offset{0});
  acc.release(kP0);
  auto grown = acc.drain({kP0}, 1 << 20);
  REQUIRE(grown.size() == 1);
  REQUIRE(grown[0]->record_count() == 30);

  acc.split_and_reenqueue(std::move(grown[0]));
  const size_t parts = acc.queued_batch_count();
  CHECK(parts >= 4);  // ~3300 bytes in batches of at most 1000
  CHECK(parts <= 5);
  CHECK(acc.append(kP0, record_of(10), {}, 0).new_batch);  // the parts take no more records
  auto part = acc.drain({kP0}, 1 << 20);
  REQUIRE(part.size() == 1);
  CHECK(part[0]->size_bytes() <= kBatchBytes);
  const size_t part_records = part[0]->record_count();
  CHECK(part_records > 1);

  acc.split_and_reenqueue(std::move(part[0]));  // refused again: now record by record
  CHECK(acc.queued_batch_count() == parts + part_records);
  while (acc.queued_batch_count() > 0) {
    auto batch = acc.drain({kP0}, 1 << 20);
    REQUIRE(batch.size() == 1);
    batch[0]->close();
    batch[0]->complete(Offset{0});
    acc.release(kP0);
  }
  std::vector<int> in_order(31);  // records 0-30, each once, in send order
  std::iota(in_order.begin(), in_order.end(), 0);
  CHECK(delivered == in_order);
}

TEST_CASE(
    "a partition named by a view finds its queue after the named bytes change, and after the queue went") {
  auto acc = make_accumulator();
  std::string name = "orders";
  const auto first = acc.append(PartitionKey(name, PartitionId{0}), record_of(10), {}, 0);
  const auto other = acc.append(PartitionKey(name, PartitionId{1}), record_of(10), {}, 0);
  CHECK(other.new_batch);
  name = "xxxxxx";  // the queues keep copies of the name, not the caller's bytes
  CHECK(acc.append(PartitionKey(name, PartitionId{0}), record_of(10), {}, 0).new_batch);
  const std::string again = "orders";
  CHECK(acc.batch_accepts(PartitionKey(again, PartitionId{0}), first.batch_id, 10));
  const auto joined = acc.append(PartitionKey(again, PartitionId{0}), record_of(10), {}, 0);
  CHECK_FALSE(joined.new_batch);
  CHECK(joined.batch_id == first.batch_id);
  CHECK(acc.append(TopicPartition{"orders", PartitionId{1}}, record_of(10), {}, 0).batch_id ==
        other.batch_id);

  // Draining empties and removes the queue last looked up; the next record starts a new one there.
  const TopicPartition orders0{"orders", PartitionId{0}};
  CHECK(acc.drain({orders0}, 1 << 20).size() == 1);
  CHECK_FALSE(acc.batch_accepts(orders0, first.batch_id, 10));
  const auto fresh = acc.append(orders0, record_of(10), {}, 0);
  CHECK(fresh.new_batch);
  CHECK(acc.batch_accepts(orders0, fresh.batch_id, 10));
  CHECK(acc.queued_batch_count() == 3);  // orders-0 (new), orders-1, xxxxxx-0
}

TEST_CASE("the clock is read only when a record starts a batch") {
  auto acc = make_accumulator();
  static int reads = 0;
  reads = 0;
  const RecordAccumulator::Clock clock{[] {
    ++reads;
    return int64_t{100};
  }};
  CHECK(acc.append(kP0, record_of(100), {}, clock).new_batch);
  CHECK(reads == 1);
  for (int i = 0; i < 3; ++i) CHECK_FALSE(acc.append(kP0, record_of(100), {}, clock).new_batch);
  CHECK(reads == 1);
  // The batch was created at the clock's time: it is ready once linger_ms has passed since then.
  CHECK_FALSE(is_ready(acc, 100 + kLingerMs - 1, kP0));
  CHECK(is_ready(acc, 100 + kLingerMs, kP0));
}

TEST_CASE("rotate_after starts the list after the given partition, wrapping around") {
  const auto list = [](std::initializer_list<int32_t> ids) {
    std::vector<TopicPartition> out;
    for (int32_t id : ids) out.push_back(TopicPartition{"t", PartitionId{id}});
    return out;
  };
  auto partitions = list({0, 1, 2, 3});
  rotate_after(partitions, TopicPartition{"t", PartitionId{1}});
  CHECK(partitions == list({2, 3, 0, 1}));
  partitions = list({0, 2, 3});
  rotate_after(partitions, TopicPartition{"t", PartitionId{1}});  // no longer listed: the next one after it
  CHECK(partitions == list({2, 3, 0}));
  partitions = list({0, 1, 2});
  rotate_after(partitions, TopicPartition{"t", PartitionId{2}});  // the last one: the order stays
  CHECK(partitions == list({0, 1, 2}));
  partitions = list({0, 1});
  rotate_after(partitions, TopicPartition{"a", PartitionId{9}});  // of a topic ordered first: no rotation
  CHECK(partitions == list({0, 1}));
}
