// Producer::send_view's promise (producer_record.h): a record costs no allocation of its own. This binary
// replaces operator new to count the allocations made on the sending thread.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <new>
#include <string>

#include "fake_broker.h"
#include "millrace/client/producer.h"

using namespace millrace;
using namespace millrace::client;
using millrace::testing::FakeBroker;

namespace {
thread_local size_t allocations_on_this_thread = 0;
}  // namespace

void* operator new(std::size_t size) {
  ++allocations_on_this_thread;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace {

// Allocations on this thread while `count` records go through send_view, once warmed up.
template <class Fill>
size_t allocations_for(Producer& producer, int count, Fill fill) {
  const std::string value(100, 'v');
  ProducerRecordView record;
  record.topic = "t";
  record.value = value;
  for (int i = 0; i < 10; ++i) {  // warm up: metadata, the partition's queue and batch, the sticky choice
    fill(record, i);
    REQUIRE(producer.send_view(record, {}).ok());
  }
  const size_t before = allocations_on_this_thread;
  for (int i = 0; i < count; ++i) {
    fill(record, i);
    REQUIRE(producer.send_view(record, {}).ok());
  }
  return allocations_on_this_thread - before;
}

}  // namespace

TEST_CASE("send_view allocates nothing per record: null key (sticky), key, explicit partition") {
  FakeBroker* self = nullptr;
  FakeBroker broker([&](const FakeBroker::Request& r) -> std::optional<Buffer> {
    if (r.api_key == protocol::ApiKey::metadata) return FakeBroker::respond(r, self->metadata({{"t", 8}}));
    if (r.api_key == protocol::ApiKey::produce) return FakeBroker::accept_produce(r);
    return std::nullopt;
  });
  self = &broker;
  ProducerConfig config;
  config.connection.bootstrap = broker.bootstrap();
  config.acks = Acks::leader;
  config.enable_idempotence = false;
  config.linger_ms = 60000;          // nothing is sent while counting: the batches stay open
  config.batch_bytes = 1024 * 1024;  // and 1,000 records of 100 bytes fit in one
  auto producer = Producer::create(config);
  REQUIRE(producer.ok());

  // A batch's record list grows by doubling: about log2(1000) allocations in all, not one per record.
  constexpr size_t kAmortised = 30;
  const std::string key = "k";
  SECTION("no key: the sticky partitioner") {
    CHECK(allocations_for(**producer, 1000, [](ProducerRecordView&, int) {}) < kAmortised);
  }
  SECTION("a key") {
    CHECK(allocations_for(**producer, 1000, [&](ProducerRecordView& r, int) { r.key = key; }) < kAmortised);
  }
  SECTION("an explicit partition") {
    CHECK(allocations_for(**producer, 1000,
                          [](ProducerRecordView& r, int) { r.partition = PartitionId{3}; }) < kAmortised);
  }
  (*producer)->close();
}
