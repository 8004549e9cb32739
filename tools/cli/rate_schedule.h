#pragma once
// RateSchedule: when each message of a fixed-rate benchmark is meant to be sent, so that latency can be
// measured from the intended send time and a stall is not hidden (no coordinated omission).
//
// Message i (0-based, counted over all producers) is due at start + i / rate. The time is computed from i,
// never accumulated, so it does not drift. A schedule without a rate (rate 0: "as fast as possible") has no
// due times; callers then measure from the actual send. Pure and immutable: thread-safe.
#include <cstdint>

namespace millrace::cli {

class RateSchedule {
 public:
  // `start_ns` on any monotonic clock; `messages_per_second` 0 means unpaced.
  RateSchedule(int64_t start_ns, double messages_per_second)
      : start_ns_(start_ns), messages_per_second_(messages_per_second) {}

  bool paced() const { return messages_per_second_ > 0; }
  int64_t start_ns() const { return start_ns_; }
  double messages_per_second() const { return messages_per_second_; }

  // When message `index` is due (start_ns() if unpaced).
  int64_t due_ns(uint64_t index) const;
  // How many messages are due at `now_ns` (indexes 0 .. n-1 are due); 0 before the start. Unpaced: 0.
  uint64_t due_count(int64_t now_ns) const;

 private:
  int64_t start_ns_;
  double messages_per_second_;
};

}  // namespace millrace::cli
