#pragma once
// Deadline arithmetic that saturates instead of overflowing (timeouts of milliseconds::max() mean "never"),
// and condition-variable waits that treat time_point::max() as "wait forever".
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace millrace::client::internal {

using SteadyClock = std::chrono::steady_clock;

inline SteadyClock::time_point deadline_after(std::chrono::milliseconds timeout) {
  const auto now = SteadyClock::now();
  if (timeout >=
      std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::time_point::max() - now)) {
    return SteadyClock::time_point::max();
  }
  return now + timeout;
}

template <class Predicate>
bool wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                SteadyClock::time_point deadline, Predicate predicate) {
  if (deadline == SteadyClock::time_point::max()) {
    cv.wait(lock, predicate);
    return true;
  }
  return cv.wait_until(lock, deadline, predicate);
}

inline int64_t steady_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now().time_since_epoch()).count();
}

}  // namespace millrace::client::internal
