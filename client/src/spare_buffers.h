#pragma once
// SpareBuffers: a few spent buffers kept for reuse. A large buffer allocated afresh for every use costs page
// faults and the kernel zeroing its pages each time (glibc serves large blocks with mmap, or trims them off
// the heap once freed); one written again costs neither. (BatchBufferPool recycles the producer's batch
// buffers, all of one size, under a byte budget; these are of any size and handed out best fit.)
//
// Contract: thread-safe (a buffer is given back on whichever thread drops it). Keeps at most `max_buffers`,
// each with a capacity in [min_capacity, max_capacity]; anything else given back is freed as usual. When
// full, a larger buffer replaces the smallest kept one.
#include <algorithm>
#include <cstddef>
#include <mutex>
#include <utility>
#include <vector>

namespace millrace::client::internal {

template <class Buffer>
class SpareBuffers {
 public:
  SpareBuffers(size_t max_buffers, size_t min_capacity, size_t max_capacity)
      : max_buffers_(max_buffers), min_capacity_(min_capacity), max_capacity_(max_capacity) {}

  // The smallest kept buffer with a capacity of at least `capacity`, emptied; else an empty new one.
  Buffer take(size_t capacity) {
    std::lock_guard lock(mutex_);
    auto best = kept_.end();
    for (auto it = kept_.begin(); it != kept_.end(); ++it) {
      if (it->capacity() >= capacity && (best == kept_.end() || it->capacity() < best->capacity())) best = it;
    }
    if (best == kept_.end()) return Buffer{};
    Buffer out = std::move(*best);
    kept_.erase(best);
    return out;
  }

  // Keeps `buffer`'s storage (emptied) if its capacity is within bounds and there is room; else leaves it.
  void give(Buffer&& buffer) {
    const size_t capacity = buffer.capacity();
    if (capacity < min_capacity_ || capacity > max_capacity_ || capacity == 0) return;
    buffer.clear();
    std::lock_guard lock(mutex_);
    if (kept_.size() < max_buffers_) {
      kept_.push_back(std::move(buffer));
      return;
    }
    auto smallest = std::min_element(kept_.begin(), kept_.end(), [](const Buffer& a, const Buffer& b) {
      return a.capacity() < b.capacity();
    });
    if (smallest != kept_.end() && smallest->capacity() < capacity) *smallest = std::move(buffer);
  }

  size_t kept() const {
    std::lock_guard lock(mutex_);
    return kept_.size();
  }

 private:
  const size_t max_buffers_;
  const size_t min_capacity_;
  const size_t max_capacity_;
  mutable std::mutex mutex_;
  std::vector<Buffer> kept_;
};

}  // namespace millrace::client::internal
