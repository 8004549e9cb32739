// ChunkQueue: byte accounting, the fullness bound and due times that never go backwards.
#include <catch2/catch.hpp>

#include "chunk_queue.h"

using millrace::Buffer;
using millrace::faultproxy::ChunkQueue;

TEST_CASE("chunk queue keeps order and never lets a later chunk fall due earlier", "[chunk_queue]") {
  ChunkQueue queue(100);
  const auto t0 = ChunkQueue::Clock::now();
  queue.push(Buffer(10, 'a'), t0 + std::chrono::milliseconds(300));
  queue.push(Buffer(10, 'b'), t0);  // the delay was shortened in between
  queue.push(Buffer(10, 'c'), t0 + std::chrono::milliseconds(500));
  REQUIRE(queue.size() == 3);
  CHECK(queue.front().bytes[0] == 'a');
  CHECK(queue.front().due == t0 + std::chrono::milliseconds(300));
  queue.pop();
  CHECK(queue.front().bytes[0] == 'b');
  CHECK(queue.front().due == t0 + std::chrono::milliseconds(300));  // held behind 'a'
  queue.pop();
  CHECK(queue.front().due == t0 + std::chrono::milliseconds(500));
  queue.pop();
  CHECK(queue.empty());
  queue.push(Buffer(1, 'd'), t0);  // still not before the last due time, even after the queue emptied
  CHECK(queue.front().due == t0 + std::chrono::milliseconds(500));
}

TEST_CASE("chunk queue reports full at its byte bound", "[chunk_queue]") {
  ChunkQueue queue(100);
  const auto now = ChunkQueue::Clock::now();
  queue.push(Buffer(60, 'x'), now);
  CHECK_FALSE(queue.full());
  queue.push(Buffer(40, 'y'), now);
  CHECK(queue.full());
  CHECK(queue.bytes() == 100);
  queue.pop();
  CHECK_FALSE(queue.full());
  CHECK(queue.bytes() == 40);
}
