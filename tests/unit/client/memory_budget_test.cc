// The producer's bounded buffer: blocking, release, and the max_block_ms failure.
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "memory_budget.h"
#include "millrace/client/errc.h"
#include "millrace/protocol/errc.h"

using namespace millrace;
using namespace millrace::client;
using namespace millrace::client::internal;
using namespace std::chrono_literals;

TEST_CASE("reservations succeed while there is room and fail after the deadline when there is none") {
  MemoryBudget budget(100);
  const auto soon = std::chrono::steady_clock::now() + 1s;
  REQUIRE(budget.reserve(60, soon, 1000ms).ok());
  REQUIRE(budget.reserve(40, soon, 1000ms).ok());
  CHECK(budget.used_bytes() == 100);
  const auto start = std::chrono::steady_clock::now();
  auto st = budget.reserve(1, start + 50ms, 50ms);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == errc::buffer_exhausted);
  CHECK(std::chrono::steady_clock::now() - start >= 50ms);
  CHECK(st.error().message.find("max_block_ms") != std::string::npos);
}

TEST_CASE("a blocked reservation proceeds when memory is released") {
  MemoryBudget budget(100);
  REQUIRE(budget.reserve(100, std::chrono::steady_clock::now() + 1s, 1000ms).ok());
  std::thread releaser([&] {
    std::this_thread::sleep_for(30ms);
    budget.release(50);
  });
  CHECK(budget.reserve(50, std::chrono::steady_clock::now() + 5s, 5000ms).ok());
  releaser.join();
  CHECK(budget.used_bytes() == 100);
}

TEST_CASE("a record larger than the whole buffer fails at once") {
  MemoryBudget budget(100);
  auto st = budget.reserve(101, std::chrono::steady_clock::now() + 10s, 10000ms);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == protocol::errc::message_too_large);
  CHECK(budget.used_bytes() == 0);
}

TEST_CASE("try_reserve takes free memory at once and refuses without waiting when there is none") {
  MemoryBudget budget(100);
  CHECK(budget.try_reserve(70));
  CHECK_FALSE(budget.try_reserve(31));
  CHECK(budget.try_reserve(30));
  CHECK(budget.used_bytes() == 100);
  CHECK_FALSE(budget.try_reserve(1));
  CHECK_FALSE(budget.try_reserve(1000));  // larger than the whole budget
  budget.release(100);
  CHECK(budget.used_bytes() == 0);
}
