// ClusterProducerIdAllocator: ids from controller blocks, the next block asked for before the current one
// runs out, and a bounded wait when none comes.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <set>

#include "millrace/broker/cluster_producer_id_allocator.h"
#include "millrace/protocol/errc.h"

using namespace millrace;
using namespace millrace::broker;
using namespace std::chrono_literals;

namespace {

// A stand-in controller: hands out consecutive blocks of `length`, answering on the io_context.
struct FakeController {
  boost::asio::io_context& io;
  int64_t length;
  int64_t next = 0;
  int fetches = 0;
  bool answering = true;

  ClusterProducerIdAllocator::FetchBlock fetch() {
    return [this](ClusterProducerIdAllocator::BlockFetched done) {
      ++fetches;
      if (!answering) return;  // a controller that never answers
      ProducerIdBlock block{next, length};
      next += length;
      boost::asio::post(io, [done, block] { done(block); });
    };
  }
};

}  // namespace

TEST_CASE("ids come from the controller's blocks, never repeat, and the next block is fetched early") {
  boost::asio::io_context io;
  FakeController controller{io, 100};
  ClusterProducerIdAllocator allocator(io, controller.fetch());
  allocator.prefetch();
  std::set<int64_t> seen;
  int max_fetches_at_90 = 0;
  for (int i = 0; i < 350; ++i) {
    bool answered = false;
    allocator.allocate([&](Result<ProducerIdAndEpoch> id) {
      REQUIRE(id.ok());
      CHECK(id->epoch == 0);
      CHECK(seen.insert(id->producer_id).second);
      answered = true;
    });
    io.run();
    io.restart();
    REQUIRE(answered);
    if (i == 90) max_fetches_at_90 = controller.fetches;
  }
  CHECK(seen.size() == 350);
  CHECK(*seen.rbegin() == 349);
  // With 10 of the first block's 100 ids left, the second block has been asked for already.
  CHECK(max_fetches_at_90 == 2);
  CHECK(controller.fetches <= 5);
}

TEST_CASE("with no block in hand InitProducerId waits, then fails with a retriable timeout") {
  boost::asio::io_context io;
  FakeController controller{io, 10};
  controller.answering = false;
  ClusterProducerIdAllocator allocator(io, controller.fetch(), 50ms);
  std::optional<Result<ProducerIdAndEpoch>> result;
  const auto start = std::chrono::steady_clock::now();
  allocator.allocate([&](Result<ProducerIdAndEpoch> id) { result = std::move(id); });
  io.run_for(2s);
  REQUIRE(result);
  REQUIRE_FALSE(result->ok());
  CHECK(result->error().code == protocol::errc::request_timed_out);
  CHECK(std::chrono::steady_clock::now() - start >= 50ms);
  allocator.stop();
}
