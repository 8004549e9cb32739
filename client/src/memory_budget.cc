#include "memory_budget.h"

#include <cassert>
#include <string>

#include "deadline.h"
#include "millrace/client/errc.h"
#include "millrace/protocol/errc.h"

namespace millrace::client::internal {

Status MemoryBudget::reserve(size_t bytes, std::chrono::steady_clock::time_point deadline,
                             std::chrono::milliseconds max_block) {
  if (bytes > limit_bytes_) {
    return make_error(protocol::errc::message_too_large, "record of about " + std::to_string(bytes) +
                                                             " bytes is larger than buffer_memory_bytes " +
                                                             std::to_string(limit_bytes_));
  }
  std::unique_lock lock(mutex_);
  // Counted before the first look at used_bytes_ (both sequentially consistent): a release() that does not
  // see this waiter subtracted before that look, so the look sees the room it made.
  waiters_.fetch_add(1);
  const bool reserved = wait_until(freed_, lock, deadline, [&] { return try_reserve(bytes); });
  waiters_.fetch_sub(1);
  if (!reserved) {
    return make_error(errc::buffer_exhausted,
                      "no room for " + std::to_string(bytes) + " bytes in the " +
                          std::to_string(limit_bytes_) + "-byte producer buffer after " +
                          std::to_string(max_block.count()) +
                          " ms (max_block_ms): the brokers are not keeping up or unreachable");
  }
  return {};
}

bool MemoryBudget::try_reserve(size_t bytes) {
  size_t used = used_bytes_.load(std::memory_order_relaxed);
  do {
    if (bytes > limit_bytes_ - used) return false;
  } while (!used_bytes_.compare_exchange_weak(used, used + bytes));
  return true;
}

void MemoryBudget::release(size_t bytes) {
  [[maybe_unused]] const size_t before = used_bytes_.fetch_sub(bytes);
  assert(bytes <= before);
  if (waiters_.load() == 0) return;
  // A waiter holds mutex_ from its look at used_bytes_ until it sleeps: once this lock is taken, it either
  // sleeps (and the notification wakes it) or has yet to look (and sees the room).
  { std::lock_guard lock(mutex_); }
  freed_.notify_all();
}

size_t MemoryBudget::used_bytes() const {
  return used_bytes_.load();
}

}  // namespace millrace::client::internal
