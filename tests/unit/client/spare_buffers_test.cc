// SpareBuffers keeps a few spent buffers within its bounds; large response frames and a poll's view array go
// back to theirs when dropped (a connection reading into them: broker_connection_test).
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "consumer_records_access.h"
#include "response_frame.h"
#include "spare_buffers.h"

using namespace millrace;
using namespace millrace::client;
using namespace millrace::client::internal;

namespace {

using Spares = SpareBuffers<std::vector<char>>;

std::vector<char> with_capacity(size_t capacity) {
  std::vector<char> v;
  v.reserve(capacity);
  v.push_back('x');
  return v;
}

}  // namespace

TEST_CASE("take hands out the smallest kept buffer large enough, emptied, and nothing when none is") {
  Spares spares(3, 1, 1 << 20);
  spares.give(with_capacity(100));
  spares.give(with_capacity(5000));
  spares.give(with_capacity(1000));
  CHECK(spares.kept() == 3);
  const auto taken = spares.take(900);
  CHECK(taken.capacity() >= 1000);
  CHECK(taken.capacity() < 5000);
  CHECK(taken.empty());
  CHECK(spares.kept() == 2);
  CHECK(spares.take(10000).capacity() == 0);  // a new, empty buffer: none kept is that large
  CHECK(spares.kept() == 2);
}

TEST_CASE("give keeps buffers within the capacity bounds, and when full only larger ones") {
  Spares spares(2, 1000, 10000);
  spares.give(with_capacity(500));    // below the minimum
  spares.give(with_capacity(20000));  // above the maximum
  spares.give(std::vector<char>{});   // no storage
  CHECK(spares.kept() == 0);
  spares.give(with_capacity(2000));
  spares.give(with_capacity(3000));
  spares.give(with_capacity(1500));  // full, and smaller than both: freed
  CHECK(spares.kept() == 2);
  spares.give(with_capacity(8000));  // full: replaces the smallest (2000)
  CHECK(spares.kept() == 2);
  const auto larger = spares.take(2500);
  const auto smaller = spares.take(2500);
  CHECK(larger.capacity() >= 3000);
  CHECK(larger.capacity() < 8000);  // best fit first: the 3000 one
  CHECK(smaller.capacity() >= 8000);
  CHECK(spares.take(1).capacity() == 0);
}

TEST_CASE("a response frame gives its bytes back once, when the last owner drops it") {
  auto spares = std::make_shared<SpareFrameBuffers>(2, 1, 1 << 20);
  const char* memory = nullptr;
  {
    ResponseFrame frame;
    frame.bytes.resize(4096);
    memory = frame.bytes.data();
    frame.spares = spares;
    ResponseFrame moved(std::move(frame));  // the moved-from frame has nothing to give
    ResponseFrame assigned;
    assigned = std::move(moved);
    CHECK(spares->kept() == 0);
  }
  CHECK(spares->kept() == 1);
  CHECK(spares->take(4096).data() == memory);

  ResponseFrame overwritten;
  overwritten.bytes.resize(4096);
  overwritten.spares = spares;
  overwritten = ResponseFrame{};  // assigning over a frame gives its bytes back too
  CHECK(spares->kept() == 1);
}

TEST_CASE("a poll's view array goes back to the consumer's spares and serves the next poll") {
  using Access = ConsumerRecordsAccess;
  auto spares = std::make_shared<SpareViewArrays>();
  const ConsumerRecordView* memory = nullptr;
  {
    ConsumerRecords records;
    Access::use_spares(records, spares);
    Access::reserve(records, 1000);
    Access::push(records, ConsumerRecordView{});
    memory = &records[0];
  }
  CHECK(spares->kept() == 1);
  ConsumerRecords next;
  Access::use_spares(next, spares);
  CHECK(spares->kept() == 0);
  CHECK(next.empty());
  Access::push(next, ConsumerRecordView{});
  CHECK(&next[0] == memory);  // no new allocation: the same storage
  next = ConsumerRecords{};   // assigned over: its array goes back
  CHECK(spares->kept() == 1);
}
