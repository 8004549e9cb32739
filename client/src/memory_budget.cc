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
  if (!wait_until(freed_, lock, deadline, [&] { return limit_bytes_ - used_bytes_ >= bytes; })) {
    return make_error(errc::buffer_exhausted,
                      "no room for " + std::to_string(bytes) + " bytes in the " +
                          std::to_string(limit_bytes_) + "-byte producer buffer after " +
                          std::to_string(max_block.count()) +
                          " ms (max_block_ms): the brokers are not keeping up or unreachable");
  }
  used_bytes_ += bytes;
  return {};
}

bool MemoryBudget::try_reserve(size_t bytes) {
  std::lock_guard lock(mutex_);
  if (bytes > limit_bytes_ - used_bytes_) return false;
  used_bytes_ += bytes;
  return true;
}

void MemoryBudget::release(size_t bytes) {
  {
    std::lock_guard lock(mutex_);
    assert(bytes <= used_bytes_);
    used_bytes_ -= bytes;
  }
  freed_.notify_all();
}

size_t MemoryBudget::used_bytes() const {
  std::lock_guard lock(mutex_);
  return used_bytes_;
}

}  // namespace millrace::client::internal
