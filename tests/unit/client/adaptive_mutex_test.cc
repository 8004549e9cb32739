// AdaptiveMutex excludes: a second thread cannot take it while it is held, and increments made under it from
// two threads are never lost.
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdint>
#include <latch>
#include <mutex>
#include <thread>

#include "adaptive_mutex.h"

using millrace::client::internal::AdaptiveMutex;

TEST_CASE("AdaptiveMutex cannot be taken by another thread while held and can once released") {
  AdaptiveMutex mutex;
  mutex.lock();
  bool taken_while_held = true;
  std::thread([&] { taken_while_held = mutex.try_lock(); }).join();
  CHECK_FALSE(taken_while_held);
  mutex.unlock();
  bool taken_after = false;
  std::thread([&] {
    taken_after = mutex.try_lock();
    if (taken_after) mutex.unlock();
  }).join();
  CHECK(taken_after);
}

TEST_CASE("AdaptiveMutex loses no increment made under it by two threads at once") {
  AdaptiveMutex mutex;
  constexpr int kPerThread = 20000;
  // A read and a write, each atomic but not together: only the mutex keeps another thread's increment from
  // falling between them (and the compiler cannot fold the loop).
  std::atomic<int64_t> counter{0};
  std::latch both_running(2);  // both loops start together
  const auto add = [&] {
    both_running.arrive_and_wait();
    for (int i = 0; i < kPerThread; ++i) {
      std::lock_guard lock(mutex);
      const int64_t seen = counter.load(std::memory_order_relaxed);
      std::this_thread::yield();  // on one core too, the other thread could run here
      counter.store(seen + 1, std::memory_order_relaxed);
    }
  };
  std::thread other(add);
  add();
  other.join();
  CHECK(counter.load() == 2 * kPerThread);
}
