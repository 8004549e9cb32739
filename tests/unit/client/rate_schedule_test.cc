// RateSchedule: intended send times for fixed-rate runs (coordinated-omission-free latency).
#include <catch2/catch.hpp>

#include "rate_schedule.h"

using millrace::cli::RateSchedule;

TEST_CASE("message i is due at start + i / rate") {
  const RateSchedule schedule(1'000'000, 1000.0);  // 1000 messages/s: one per ms
  CHECK(schedule.paced());
  CHECK(schedule.due_ns(0) == 1'000'000);
  CHECK(schedule.due_ns(1) == 2'000'000);
  CHECK(schedule.due_ns(1000) == 1'001'000'000);
}

TEST_CASE("due times do not drift over long runs at awkward rates") {
  const RateSchedule schedule(0, 3.0);  // 333333333.33... ns apart
  CHECK(schedule.due_ns(3) == 1'000'000'000);
  CHECK(schedule.due_ns(3'000'000) == 1'000'000'000'000'000);
  CHECK(schedule.due_ns(1) == 333'333'333);
  CHECK(schedule.due_ns(2) == 666'666'667);
  const RateSchedule fast(0, 7'000'000.0);
  CHECK(fast.due_ns(70'000'000) == 10'000'000'000);
}

TEST_CASE("due_count: how many messages are due by a given time") {
  const RateSchedule schedule(1'000, 1000.0);
  CHECK(schedule.due_count(999) == 0);    // before the start
  CHECK(schedule.due_count(1'000) == 1);  // message 0 is due at the start
  CHECK(schedule.due_count(1'000'999) == 1);
  CHECK(schedule.due_count(1'001'000) == 2);  // exactly at message 1's time
  CHECK(schedule.due_count(1'000'001'000) == 1001);
  for (int64_t now = 1'000; now < 50'000'000; now += 333'331) {
    const uint64_t n = schedule.due_count(now);
    REQUIRE(n >= 1);
    CHECK(schedule.due_ns(n - 1) <= now);
    CHECK(schedule.due_ns(n) > now);
  }
}

TEST_CASE("a stall does not move the schedule: late messages keep their intended times") {
  // The sender may be late; what it measures from is the schedule, so the lateness shows in the latency.
  const RateSchedule schedule(0, 10'000.0);  // every 100 us
  const int64_t stall_end = 50'000'000;      // a 50 ms stall: 500 messages are overdue afterwards
  CHECK(schedule.due_count(stall_end) == 501);
  CHECK(stall_end - schedule.due_ns(0) == 50'000'000);
  CHECK(stall_end - schedule.due_ns(499) == 100'000);
}

TEST_CASE("an unpaced schedule has no due times") {
  const RateSchedule schedule(5'000, 0.0);
  CHECK_FALSE(schedule.paced());
  CHECK(schedule.due_ns(123) == 5'000);
  CHECK(schedule.due_count(1'000'000'000) == 0);
}
