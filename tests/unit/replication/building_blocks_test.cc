// The small pieces: control batches, entries, the PRNG, the term index and the in-memory log.
#include <set>

#include <catch2/catch.hpp>

#include "millrace/protocol/record_batch.h"
#include "millrace/replication/control_batch.h"
#include "millrace/replication/memory_log.h"
#include "millrace/replication/prng.h"
#include "millrace/replication/term_index.h"
#include "test_cluster.h"

using namespace millrace;
using namespace millrace::replication;
using namespace millrace::replication::test;

TEST_CASE("control batches are valid Kafka batches with the control bit, and entries know their kind") {
  const Configuration configuration{{NodeId{1}, NodeId{4}}, {NodeId{9}}};
  Buffer batch = make_configuration_batch(configuration);
  REQUIRE(protocol::validate_batches(batch, 1 << 20).ok());  // CRC recomputed after setting the bit
  CHECK(protocol::read_batch_header(batch).is_control());
  CHECK(control_type(batch) == kControlTypeConfiguration);
  protocol::set_base_offset(batch, 42);
  protocol::set_partition_leader_epoch(batch, 7);
  auto entry = Entry::from_batch(batch);
  REQUIRE(entry.ok());
  CHECK(entry->kind == EntryKind::configuration);
  CHECK(entry->base_offset == Offset{42});
  CHECK(entry->term == Term{7});
  CHECK(configuration_of(*entry).value() == configuration);

  Buffer noop_batch = make_term_start_batch(NodeId{3});
  CHECK_FALSE(Entry::from_batch(noop_batch).ok());  // no epoch (term) yet
  protocol::set_partition_leader_epoch(noop_batch, 1);
  auto noop = Entry::from_batch(noop_batch);
  REQUIRE(noop.ok());
  CHECK(noop->kind == EntryKind::term_start);
  Buffer data_bytes = data_batch("x", 4);
  protocol::set_partition_leader_epoch(data_bytes, 1);
  auto data = Entry::from_batch(data_bytes);
  CHECK(data->kind == EntryKind::data);
  CHECK(data->last_offset == Offset{3});
  CHECK(control_type(data->batch) == std::nullopt);
  CHECK_FALSE(Entry::from_batch(Buffer(10)).ok());
}

TEST_CASE("the PRNG is deterministic per seed and stays in range") {
  Prng a(7), b(7), c(8);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.next();
    CHECK(x == b.next());
    differs |= x != c.next();
  }
  CHECK(differs);
  std::set<int64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    const int64_t v = a.uniform(-2, 2);
    CHECK(v >= -2);
    CHECK(v <= 2);
    seen.insert(v);
  }
  CHECK(seen.size() == 5);
  CHECK_FALSE(a.chance(0.0));
  CHECK(a.chance(1.0));
}

TEST_CASE("the term index follows appends and truncations") {
  TermIndex index;
  index.on_append(Term{1}, Offset{0});
  index.on_append(Term{1}, Offset{5});
  index.on_append(Term{3}, Offset{10});
  CHECK(index.term_at(Offset{9}) == Term{1});
  CHECK(index.term_at(Offset{12}) == Term{3});
  CHECK(index.term_first_offset(Offset{7}) == Offset{0});
  index.truncate_suffix(Offset{10});
  CHECK(index.term_at(Offset{12}) == Term{1});
  index.truncate_prefix(Offset{6});
  CHECK(index.term_first_offset(Offset{7}) == Offset{6});
}

TEST_CASE("the in-memory log refuses gaps, cuts at entry boundaries, and keeps flushed entries in a crash") {
  MemoryLog log;
  auto entry = [](int64_t base, int32_t term, int records) {
    Buffer batch = data_batch("e", records);
    protocol::set_base_offset(batch, base);
    protocol::set_partition_leader_epoch(batch, term);
    return Entry::from_batch(std::move(batch)).value();
  };
  REQUIRE(log.append({entry(0, 1, 2), entry(2, 1, 1)}).ok());
  CHECK_FALSE(log.append({entry(5, 1, 1)}).ok());
  CHECK_FALSE(log.append({entry(3, 0, 1)}).ok());  // terms never decrease
  CHECK_FALSE(log.truncate_suffix(Offset{1}).ok());
  log.complete_flush(log.prepare_flush());
  REQUIRE(log.append({entry(3, 2, 1)}).ok());
  CHECK(log.term_first_offset(Offset{3}) == Offset{3});
  log.crash();
  CHECK(log.end_offset() == Offset{3});
  CHECK(log.read(Offset{1}, 0)->front().base_offset == Offset{0});
}
