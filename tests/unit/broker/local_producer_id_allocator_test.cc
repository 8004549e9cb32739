#include <catch2/catch.hpp>
#include <set>

#include "idempotence_test_support.h"
#include "millrace/broker/local_producer_id_allocator.h"
#include "millrace/storage/rocksdb_kv_store.h"

using namespace millrace;
using namespace millrace::broker;

TEST_CASE("producer ids never repeat, across blocks and restarts") {
  test::TempDir dir;
  std::set<int64_t> seen;
  for (int restart = 0; restart < 3; ++restart) {
    auto store = storage::RocksDbKvStore::open(dir.path() / "meta");
    REQUIRE(store.ok());
    LocalProducerIdAllocator allocator(**store, 10);
    for (int i = 0; i < 25; ++i) {
      auto id = allocator.allocate();
      REQUIRE(id.ok());
      CHECK(id->epoch == 0);
      CHECK(seen.insert(id->producer_id).second);
    }
  }
  CHECK(seen.size() == 75);
}

TEST_CASE("the next block is recorded before ids from it are handed out") {
  test::TempDir dir;
  auto store = storage::RocksDbKvStore::open(dir.path() / "meta");
  REQUIRE(store.ok());
  LocalProducerIdAllocator allocator(**store, 100);
  REQUIRE(allocator.allocate()->producer_id == 0);
  auto stored = (*store)->get(kProducerIdBlockKey);
  REQUIRE(stored.ok());
  REQUIRE(*stored);
  LocalProducerIdAllocator after_crash(**store, 100);
  CHECK(after_crash.allocate()->producer_id == 100);
}
