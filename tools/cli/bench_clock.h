#pragma once
// The clock every `millrace bench` timestamp uses: the steady clock, in nanoseconds.
#include <chrono>
#include <cstdint>

namespace millrace::cli {

inline int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// `seconds` after `start_ns`, or 0 ("no deadline") when seconds is 0.
inline int64_t deadline_after(int64_t start_ns, double seconds) {
  return seconds > 0 ? start_ns + static_cast<int64_t>(seconds * 1e9) : 0;
}

inline std::chrono::steady_clock::time_point steady_time_point(int64_t ns) {
  return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(ns));
}

}  // namespace millrace::cli
