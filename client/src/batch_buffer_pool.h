#pragma once
// BatchBufferPool: recycles the buffers producer batches are built in, as Kafka's BufferPool does. A batch
// takes a buffer with room for batch_bytes when it starts and gives it back once its records are delivered
// or failed, so a busy producer keeps writing into the same, already faulted-in memory instead of asking
// malloc (and the kernel, which zeroes every fresh page) for a new batch-sized buffer each time.
//
// Contract: thread-safe (batches start under the producer's lock on sending threads and end on the I/O
// thread). At most max_idle_bytes of buffers wait in the pool (the producer passes its buffer_memory_bytes);
// a buffer that grew beyond twice batch_bytes (a record larger than a batch), or beyond twice the
// producer's backlog_batch_bytes if that is more, is freed, not kept.
#include <algorithm>
#include <cstddef>
#include <mutex>
#include <vector>

#include "millrace/protocol/bytes.h"

namespace millrace::client::internal {

class BatchBufferPool {
 public:
  // Buffers that grew up to twice max(buffer_bytes, keep_up_to_bytes) are kept (a batch may grow past
  // batch_bytes while its partition has a backlog: ProducerConfig::backlog_batch_bytes).
  BatchBufferPool(size_t buffer_bytes, size_t max_idle_bytes, size_t keep_up_to_bytes = 0)
      : buffer_bytes_(buffer_bytes),
        max_idle_bytes_(max_idle_bytes),
        max_kept_bytes_(2 * std::max(buffer_bytes, keep_up_to_bytes)) {}

  // An empty buffer with capacity for at least buffer_bytes: a recycled one when the pool has one.
  Buffer take();
  // Returns a buffer to the pool (or frees it: too large, or the pool is full).
  void give_back(Buffer buffer);

  size_t buffer_bytes() const { return buffer_bytes_; }
  size_t idle_bytes() const;
  size_t idle_count() const;

 private:
  const size_t buffer_bytes_;
  const size_t max_idle_bytes_;
  const size_t max_kept_bytes_;
  mutable std::mutex mutex_;
  std::vector<Buffer> idle_;
  size_t idle_bytes_ = 0;
};

}  // namespace millrace::client::internal
