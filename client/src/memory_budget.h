#pragma once
// MemoryBudget: the producer's bounded buffer memory. send() reserves a record's bytes before buffering it
// and the I/O thread releases them when the record's delivery completes, so memory use stays under the limit.
// Thread-safe; try_reserve and release take no lock (one atomic update each) unless a reserve() waits.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

#include "millrace/protocol/result.h"

namespace millrace::client::internal {

class MemoryBudget {
 public:
  explicit MemoryBudget(size_t limit_bytes) : limit_bytes_(limit_bytes) {}

  // Takes `bytes`, blocking until they are free or `deadline` passes (then client::errc::buffer_exhausted).
  // A request larger than the whole budget fails at once with MESSAGE_TOO_LARGE.
  Status reserve(size_t bytes, std::chrono::steady_clock::time_point deadline,
                 std::chrono::milliseconds max_block);
  // Takes `bytes` if they are free now; never blocks.
  bool try_reserve(size_t bytes);
  void release(size_t bytes);

  size_t used_bytes() const;
  size_t limit_bytes() const { return limit_bytes_; }

 private:
  const size_t limit_bytes_;
  std::atomic<size_t> used_bytes_{0};
  // reserve() calls waiting for room; release() takes mutex_ and notifies only when there are some.
  std::atomic<int> waiters_{0};
  std::mutex mutex_;
  std::condition_variable freed_;
};

}  // namespace millrace::client::internal
