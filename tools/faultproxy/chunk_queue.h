#pragma once
// ChunkQueue: the bytes read in one direction of one connection and not yet written, in arrival order, each
// chunk with the time it is due to be written. Due times never go backwards (a chunk is never due before the
// one ahead of it), so shortening a delay cannot reorder bytes.
//
// The byte bound is enforced by the caller: it reads only while !full(), and one read adds at most
// kReadChunkBytes, so the queue never holds more than bytes_max + kReadChunkBytes.
//
// Pure: no I/O; the caller supplies the times. Not thread-safe.
#include <chrono>
#include <cstddef>
#include <deque>

#include "millrace/protocol/bytes.h"

namespace millrace::faultproxy {

class ChunkQueue {
 public:
  using Clock = std::chrono::steady_clock;

  struct Chunk {
    Buffer bytes;
    Clock::time_point due;
  };

  explicit ChunkQueue(size_t bytes_max) : bytes_max_(bytes_max) {}

  // Appends a chunk due at `due`, or at the previous chunk's due time if that is later.
  void push(Buffer bytes, Clock::time_point due);
  // The oldest chunk; the reference stays valid until pop() (push() does not invalidate it).
  Chunk& front() { return chunks_.front(); }
  void pop();

  bool empty() const { return chunks_.empty(); }
  bool full() const { return bytes_ >= bytes_max_; }
  size_t bytes() const { return bytes_; }
  size_t size() const { return chunks_.size(); }

 private:
  std::deque<Chunk> chunks_;
  size_t bytes_ = 0;
  size_t bytes_max_;
  Clock::time_point last_due_{};
};

}  // namespace millrace::faultproxy
