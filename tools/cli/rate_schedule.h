#pragma once
// RateSchedule: when each message of a fixed-rate benchmark is meant to be sent, so that latency can be
// measured from the intended send time and a stall is not hidden (no coordinated omission).
//
// Message i (0-based, counted over all producers) is due at start + i / rate. The time is computed from i,
// never accumulated, so it does not drift. A schedule without a rate (rate 0: "as fast as possible") has no
// due times; callers then measure from the actual send. Pure and immutable: thread-safe.
//
// The pace step: a sender that is ahead of the schedule sleeps until `pace_step_ns` after the next message is
// due, then sends every message due by then at once. At 400 k msgs/s a sleep per message (each rounded up by
// the kernel's timer slack) woke the sending thread several thousand times a second, and every wake-up sent a
// small batch down the whole pipeline; with a 250 us step the sender wakes at most 4,000 times a second. The
// wait is charged: latency still runs from each message's due time, so a message waits at most one step more.
#include <cstdint>
#include <optional>

namespace millrace::cli {

// The default pace step of paced runs (`millrace bench --pace-step-us`, and the latency floor beside them).
constexpr int64_t kDefaultPaceStepUs = 250;

class RateSchedule {
 public:
  // `start_ns` on any monotonic clock; `messages_per_second` 0 means unpaced; `pace_step_ns` >= 0.
  RateSchedule(int64_t start_ns, double messages_per_second, int64_t pace_step_ns = 0)
      : start_ns_(start_ns), messages_per_second_(messages_per_second), pace_step_ns_(pace_step_ns) {}

  bool paced() const { return messages_per_second_ > 0; }
  int64_t start_ns() const { return start_ns_; }
  double messages_per_second() const { return messages_per_second_; }

  // When message `index` is due (start_ns() if unpaced).
  int64_t due_ns(uint64_t index) const;
  // How many messages are due at `now_ns` (indexes 0 .. n-1 are due); 0 before the start. Unpaced: 0.
  uint64_t due_count(int64_t now_ns) const;
  // When a sender about to send, at `now_ns`, a message due at `due` (its due_ns(), which the caller has
  // already computed to measure from) should wake first: `due` + the pace step, or nullopt when the
  // message is due (or the schedule unpaced) and goes at once.
  std::optional<int64_t> wake_ns(int64_t due, int64_t now_ns) const;

 private:
  int64_t start_ns_;
  double messages_per_second_;
  int64_t pace_step_ns_;
};

}  // namespace millrace::cli
