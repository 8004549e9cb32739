// RateSchedule: intended send times for fixed-rate runs (coordinated-omission-free latency).
#include <algorithm>

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

TEST_CASE("wake_ns: a sender ahead of the schedule wakes one pace step after the message is due") {
  const RateSchedule schedule(1'000, 1000.0, 250'000);  // one message per ms, a 250 us step
  CHECK(schedule.wake_ns(schedule.due_ns(1), 1'000) == 1'001'000 + 250'000);
  CHECK(schedule.wake_ns(schedule.due_ns(1), 1'000'999) == 1'001'000 + 250'000);
  CHECK_FALSE(schedule.wake_ns(schedule.due_ns(1), 1'001'000).has_value());  // due: send at once
  CHECK_FALSE(schedule.wake_ns(schedule.due_ns(0), 5'000'000).has_value());  // late: send at once
  const RateSchedule no_step(1'000, 1000.0);
  CHECK(no_step.wake_ns(no_step.due_ns(1), 1'000) == 1'001'000);
  CHECK_FALSE(RateSchedule(1'000, 0.0, 250'000).wake_ns(1'000, 0).has_value());  // unpaced: never sleeps
}

namespace {

struct PacedRun {
  uint64_t sleeps = 0;
  int64_t max_wait_ns = 0;  // the longest a message went out after it was due
  bool early = false;       // some message went out before it was due
};

// A sending loop on a simulated clock, as send_paced runs it: each send takes `send_ns`; when ahead, the
// clock jumps to wake_ns.
PacedRun simulate(const RateSchedule& schedule, uint64_t messages, int64_t send_ns) {
  PacedRun run;
  int64_t now = schedule.start_ns();
  for (uint64_t i = 0; i < messages; ++i) {
    const int64_t due = schedule.due_ns(i);
    if (const auto wake = schedule.wake_ns(due, now)) {
      now = *wake;
      ++run.sleeps;
    }
    run.early = run.early || now < due;
    run.max_wait_ns = std::max(run.max_wait_ns, now - due);
    now += send_ns;
  }
  return run;
}

}  // namespace

TEST_CASE("with a pace step, one wake-up sends every message due within the step") {
  // 100 k msgs/s for one second, 1 us per send.
  const PacedRun stepped = simulate(RateSchedule(0, 100'000.0, 250'000), 100'000, 1'000);
  CHECK_FALSE(stepped.early);
  CHECK(stepped.sleeps <= 4'001);                  // at most one per 250 us
  CHECK(stepped.sleeps >= 3'000);                  // and it does sleep: the sender is ahead most of the time
  CHECK(stepped.max_wait_ns <= 250'000 + 25'000);  // a step, plus the sends queued ahead of it
  const PacedRun per_message = simulate(RateSchedule(0, 100'000.0, 0), 100'000, 1'000);
  CHECK_FALSE(per_message.early);
  CHECK(per_message.sleeps == 99'999);  // message 0 is due at the start
  CHECK(per_message.max_wait_ns == 0);
}
