// BatchBufferPool recycles batch buffers within its bounds; producer batches take from it and give back.
#include <catch2/catch.hpp>
#include <memory>

#include "batch_buffer_pool.h"
#include "producer_batch.h"

using namespace millrace;
using namespace millrace::client;
using namespace millrace::client::internal;

TEST_CASE("a buffer given back is the one taken next, emptied, with its capacity") {
  BatchBufferPool pool(4096, 1 << 20);
  Buffer first = pool.take();
  CHECK(first.empty());
  CHECK(first.capacity() >= 4096);
  first.assign(100, 'x');
  const char* const memory = first.data();
  pool.give_back(std::move(first));
  CHECK(pool.idle_count() == 1);
  Buffer again = pool.take();
  CHECK(again.data() == memory);
  CHECK(again.empty());
  CHECK(pool.idle_count() == 0);
}

TEST_CASE("the pool keeps at most max_idle_bytes and frees buffers of the wrong size") {
  BatchBufferPool pool(4096, 2 * 4096);
  for (int i = 0; i < 3; ++i) pool.give_back(pool.take());  // one at a time: one buffer in circulation
  CHECK(pool.idle_count() == 1);
  Buffer a = pool.take();
  Buffer b = pool.take();
  Buffer c = pool.take();
  pool.give_back(std::move(a));
  pool.give_back(std::move(b));
  pool.give_back(std::move(c));  // over max_idle_bytes: freed
  CHECK(pool.idle_count() == 2);
  CHECK(pool.idle_bytes() <= 2 * 4096);

  BatchBufferPool other(4096, 1 << 20);
  Buffer small;
  small.reserve(100);
  other.give_back(std::move(small));  // too small to hold a batch
  Buffer huge;
  huge.reserve(3 * 4096);
  other.give_back(std::move(huge));  // grew for an oversized record
  CHECK(other.idle_count() == 0);
}

TEST_CASE("a producer batch is built in a pooled buffer and returns it when destroyed") {
  auto pool = std::make_shared<BatchBufferPool>(16384, 1 << 20);
  Buffer seed = pool->take();
  const char* const memory = seed.data();
  pool->give_back(std::move(seed));

  const TopicPartition tp{"orders", PartitionId{0}};
  protocol::Record record;
  record.value = std::string(1000, 'v');
  Buffer expected;
  {
    ProducerBatch plain(tp, 1, 0, 16384);
    for (int i = 0; i < 10; ++i) plain.append(record, PendingRecord{});
    plain.close();
    expected.assign(plain.bytes().begin(), plain.bytes().end());
  }
  {
    ProducerBatch pooled(tp, 2, 0, 16384, pool);
    CHECK(pool->idle_count() == 0);
    for (int i = 0; i < 10; ++i) pooled.append(record, PendingRecord{});
    pooled.close();
    CHECK(pooled.bytes().data() == memory);  // no reallocation while appending
    CHECK(Buffer(pooled.bytes().begin(), pooled.bytes().end()) == expected);
  }
  CHECK(pool->idle_count() == 1);
  CHECK(pool->take().data() == memory);
}
