// BrokerRegistry: applied broker commands persist in the KV store, and applying one twice changes nothing.
#include <catch2/catch.hpp>

#include "idempotence_test_support.h"
#include "millrace/broker/broker_registry.h"
#include "millrace/storage/rocksdb_kv_store.h"

using namespace millrace;
using namespace millrace::broker;

TEST_CASE("registered brokers, their racks and fencing survive a reopen") {
  test::TempDir dir;
  {
    auto store = storage::RocksDbKvStore::open(dir.path() / "meta");
    REQUIRE(store.ok());
    BrokerRegistry registry(**store);
    REQUIRE(registry.load().ok());
    REQUIRE(registry.register_broker({0, HostPort{"h0", 9000}, "r1", false}).ok());
    REQUIRE(registry.register_broker({3, HostPort{"h3", 9003}, "", false}).ok());
    REQUIRE(registry.set_fenced(3, true).ok());
    REQUIRE(registry.set_fenced(3, true).ok());  // a replay
    REQUIRE(registry.set_fenced(7, true).ok());  // unknown: ignored
  }
  auto store = storage::RocksDbKvStore::open(dir.path() / "meta");
  REQUIRE(store.ok());
  BrokerRegistry registry(**store);
  REQUIRE(registry.load().ok());
  REQUIRE(registry.all().size() == 2);
  const BrokerRecord* zero = registry.find(0);
  REQUIRE(zero != nullptr);
  CHECK(zero->address.to_string() == "h0:9000");
  CHECK(zero->rack == "r1");
  CHECK_FALSE(zero->fenced);
  REQUIRE(registry.find(3) != nullptr);
  CHECK(registry.find(3)->fenced);
  CHECK(registry.find(7) == nullptr);

  // A new registration (address or rack changed) unfences; so does an unfence.
  REQUIRE(registry.register_broker({3, HostPort{"h3", 9103}, "r2", true}).ok());
  CHECK_FALSE(registry.find(3)->fenced);
  CHECK(registry.find(3)->rack == "r2");
  REQUIRE(registry.set_fenced(3, true).ok());
  REQUIRE(registry.set_fenced(3, false).ok());
  CHECK_FALSE(registry.find(3)->fenced);
}
