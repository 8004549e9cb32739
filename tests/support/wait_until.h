#pragma once
// Waits on a condition with a deadline: never sleep-and-hope.
#include <chrono>
#include <functional>
#include <thread>

namespace millrace::testing {

// Polls `condition` every few milliseconds until it holds (true) or `timeout` passes (false).
inline bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return condition();
}

}  // namespace millrace::testing
