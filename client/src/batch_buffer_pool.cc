#include "batch_buffer_pool.h"

#include <utility>

namespace millrace::client::internal {

Buffer BatchBufferPool::take() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      Buffer buffer = std::move(idle_.back());
      idle_.pop_back();
      idle_bytes_ -= buffer.capacity();
      return buffer;
    }
  }
  Buffer buffer;
  buffer.reserve(buffer_bytes_);
  return buffer;
}

void BatchBufferPool::give_back(Buffer buffer) {
  const size_t bytes = buffer.capacity();
  if (bytes < buffer_bytes_ || bytes > max_kept_bytes_) return;  // freed here
  buffer.clear();
  std::lock_guard lock(mutex_);
  if (idle_bytes_ + bytes > max_idle_bytes_) return;
  idle_bytes_ += bytes;
  idle_.push_back(std::move(buffer));
}

size_t BatchBufferPool::idle_bytes() const {
  std::lock_guard lock(mutex_);
  return idle_bytes_;
}

size_t BatchBufferPool::idle_count() const {
  std::lock_guard lock(mutex_);
  return idle_.size();
}

}  // namespace millrace::client::internal
