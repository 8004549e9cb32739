#include "rate_schedule.h"

#include <cmath>

namespace millrace::cli {

namespace {
constexpr double kNanosPerSecond = 1e9;
}  // namespace

int64_t RateSchedule::due_ns(uint64_t index) const {
  if (!paced()) return start_ns_;
  // A long double keeps the product exact to the nanosecond for any run this tool can do.
  const long double offset = static_cast<long double>(index) * kNanosPerSecond / messages_per_second_;
  return start_ns_ + static_cast<int64_t>(std::llround(offset));
}

std::optional<int64_t> RateSchedule::wake_ns(int64_t due, int64_t now_ns) const {
  if (!paced() || now_ns >= due) return std::nullopt;
  return due + pace_step_ns_;
}

uint64_t RateSchedule::due_count(int64_t now_ns) const {
  if (!paced() || now_ns < start_ns_) return 0;
  const long double elapsed_s = static_cast<long double>(now_ns - start_ns_) / kNanosPerSecond;
  auto count = static_cast<uint64_t>(std::floor(elapsed_s * messages_per_second_)) + 1;
  // Guard against rounding at the boundaries: message count-1 must be due, message count must not.
  while (count > 0 && due_ns(count - 1) > now_ns) --count;
  while (due_ns(count) <= now_ns) ++count;
  return count;
}

}  // namespace millrace::cli
