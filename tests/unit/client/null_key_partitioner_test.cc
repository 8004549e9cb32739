// Partition choice for records without a key: sticky (until the batch closes) and round robin.
#include <catch2/catch.hpp>
#include <set>

#include "null_key_partitioner.h"

using namespace millrace;
using namespace millrace::client;
using namespace millrace::client::internal;

namespace {

std::vector<PartitionId> partitions(std::initializer_list<int32_t> ids) {
  std::vector<PartitionId> out;
  for (int32_t id : ids) out.push_back(PartitionId{id});
  return out;
}

}  // namespace

TEST_CASE("round robin walks the candidates in turn, per topic") {
  NullKeyPartitioner p(NullKeyPartitioning::round_robin, 1);
  const auto all = partitions({0, 1, 2});
  const auto never = [](PartitionId, uint64_t) { return false; };
  CHECK(p.choose("a", all, never) == PartitionId{0});
  CHECK(p.choose("a", all, never) == PartitionId{1});
  CHECK(p.choose("b", all, never) == PartitionId{0});
  CHECK(p.choose("a", all, never) == PartitionId{2});
  CHECK(p.choose("a", all, never) == PartitionId{0});
}

TEST_CASE("sticky stays on one partition while its batch is open") {
  NullKeyPartitioner p(NullKeyPartitioning::sticky, 7);
  const auto all = partitions({0, 1, 2, 3});
  const PartitionId first = p.choose("t", all, [](PartitionId, uint64_t) { return false; });
  p.appended("t", first, 42);
  for (int i = 0; i < 10; ++i) {
    const PartitionId next = p.choose(
        "t", all, [&](PartitionId partition, uint64_t batch) { return partition == first && batch == 42; });
    CHECK(next == first);
    p.appended("t", next, 42);
  }
}

TEST_CASE("sticky moves to a different partition once the batch is closed") {
  NullKeyPartitioner p(NullKeyPartitioning::sticky, 7);
  const auto all = partitions({0, 1, 2, 3});
  PartitionId current = p.choose("t", all, [](PartitionId, uint64_t) { return false; });
  std::set<int32_t> seen{current.value};
  for (uint64_t batch = 1; batch <= 50; ++batch) {
    p.appended("t", current, batch);
    const PartitionId next = p.choose("t", all, [](PartitionId, uint64_t) { return false; });  // batch closed
    CHECK(next != current);
    seen.insert(next.value);
    current = next;
  }
  CHECK(seen.size() == 4);  // random choice reaches every partition
}

TEST_CASE("sticky only picks candidates, and survives its partition losing its leader") {
  NullKeyPartitioner p(NullKeyPartitioning::sticky, 3);
  const PartitionId first = p.choose("t", partitions({5}), [](PartitionId, uint64_t) { return false; });
  CHECK(first == PartitionId{5});
  p.appended("t", first, 1);
  const auto open = [](PartitionId, uint64_t) { return true; };
  CHECK(p.choose("t", partitions({5}), open) == PartitionId{5});
  CHECK(p.choose("t", partitions({1, 2}), open) != PartitionId{5});  // 5 no longer a candidate
  // One candidate: even a closed batch keeps it there.
  CHECK(p.choose("t", partitions({5}), [](PartitionId, uint64_t) { return false; }) == PartitionId{5});
}

TEST_CASE("sticky keeps each topic's partition apart when records alternate between topics") {
  NullKeyPartitioner p(NullKeyPartitioning::sticky, 3);
  const auto all = partitions({0, 1, 2, 3, 4, 5, 6, 7});
  const auto open = [](PartitionId, uint64_t) { return true; };
  std::string a = "alpha";
  const PartitionId pa = p.choose(a, all, open);
  p.appended(a, pa, 1);
  const PartitionId pb = p.choose("beta", all, open);
  p.appended("beta", pb, 2);
  a = "gamma";  // the partitioner keeps its own copies of the names
  const PartitionId pg = p.choose(a, all, open);
  p.appended(a, pg, 3);
  for (int i = 0; i < 5; ++i) {
    CHECK(p.choose("alpha", all, [&](PartitionId q, uint64_t batch) { return q == pa && batch == 1; }) == pa);
    CHECK(p.choose("beta", all, [&](PartitionId q, uint64_t batch) { return q == pb && batch == 2; }) == pb);
    CHECK(p.choose("gamma", all, [&](PartitionId q, uint64_t batch) { return q == pg && batch == 3; }) == pg);
  }
}
