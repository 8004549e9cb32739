#include "chunk_queue.h"

#include <algorithm>
#include <cassert>

namespace millrace::faultproxy {

void ChunkQueue::push(Buffer bytes, Clock::time_point due) {
  last_due_ = std::max(last_due_, due);
  bytes_ += bytes.size();
  chunks_.push_back(Chunk{std::move(bytes), last_due_});
}

void ChunkQueue::pop() {
  assert(!chunks_.empty());
  bytes_ -= chunks_.front().bytes.size();
  chunks_.pop_front();
}

}  // namespace millrace::faultproxy
