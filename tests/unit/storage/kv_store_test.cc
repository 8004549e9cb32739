#include <catch2/catch.hpp>

#include "millrace/storage/rocksdb_kv_store.h"
#include "storage_test_support.h"

using namespace millrace;
using namespace millrace::storage;
using namespace millrace::storage::test;

namespace {

std::unique_ptr<RocksDbKvStore> open_store(const std::filesystem::path& path) {
  auto store = RocksDbKvStore::open(path);
  if (!store) FAIL("open failed: " << store.error().to_string());
  return std::move(store).value();
}

}  // namespace

TEST_CASE("the kv store puts, gets, erases and scans by prefix") {
  TempDir dir;
  auto store = open_store(dir / "kv");
  REQUIRE(store->put("topic/orders", "partitions=3").ok());
  REQUIRE(store->put("topic/payments", "partitions=1").ok());
  REQUIRE(store->put("topics-other", "x").ok());
  REQUIRE(store->put("group/a", "offsets").ok());
  const std::string binary("\0\xff\x01", 3);
  REQUIRE(store->put("topic/bin", binary).ok());

  auto got = store->get("topic/orders");
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  CHECK(**got == "partitions=3");
  CHECK(**store->get("topic/bin") == binary);
  auto missing = store->get("topic/none");
  REQUIRE(missing.ok());
  CHECK_FALSE(missing->has_value());

  REQUIRE(store->put("topic/orders", "partitions=6").ok());
  CHECK(**store->get("topic/orders") == "partitions=6");

  auto scanned = store->scan_prefix("topic/");
  REQUIRE(scanned.ok());
  const KvStore::KeyValues expected{
      {"topic/bin", binary}, {"topic/orders", "partitions=6"}, {"topic/payments", "partitions=1"}};
  CHECK(*scanned == expected);

  REQUIRE(store->erase("topic/payments").ok());
  REQUIRE(store->erase("topic/never-there").ok());
  CHECK_FALSE(store->get("topic/payments")->has_value());
  CHECK(store->scan_prefix("topic/")->size() == 2);
  CHECK(store->scan_prefix("")->size() == 4);
  CHECK(store->scan_prefix("nothing")->empty());
}

TEST_CASE("the kv store keeps its contents across reopen") {
  TempDir dir;
  {
    auto store = open_store(dir / "nested" / "kv");
    REQUIRE(store->put("raft/term", "5").ok());
    REQUIRE(store->put("raft/vote", "2").ok());
    REQUIRE(store->erase("raft/vote").ok());
  }
  auto store = open_store(dir / "nested" / "kv");
  CHECK(**store->get("raft/term") == "5");
  CHECK_FALSE(store->get("raft/vote")->has_value());
  CHECK(store->scan_prefix("raft/")->size() == 1);
}
