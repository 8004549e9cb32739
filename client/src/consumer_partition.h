#pragma once
// ConsumerPartition: the consumer's state for one assigned partition. Owned by the consumer's thread.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "millrace/client/consumer_config.h"
#include "millrace/protocol/record.h"

namespace millrace::client::internal {

// The records of one fetch, handed out from the front: the decoded vector is taken over whole (no move per
// record into another container) and freed once drained.
class FetchedRecordQueue {
 public:
  void assign(std::vector<protocol::Record> records) {
    records_ = std::move(records);
    next_ = 0;
  }
  bool empty() const { return next_ == records_.size(); }
  size_t size() const { return records_.size() - next_; }
  protocol::Record& front() { return records_[next_]; }
  void pop_front() {
    if (++next_ == records_.size()) clear();
  }
  void clear() {
    records_.clear();
    next_ = 0;
  }

 private:
  std::vector<protocol::Record> records_;
  size_t next_ = 0;
};

struct ConsumerPartition {
  std::optional<int64_t> position;           // next offset to return; unset until resolved
  std::optional<OffsetReset> pending_reset;  // seek_to_beginning/end or an out-of-range reset to resolve
  bool fetch_in_flight = false;
  int64_t retry_at_ms = 0;           // backoff after a retriable error
  FetchedRecordQueue buffered;       // fetched, not yet returned; offsets >= position
  int64_t buffered_next_offset = 0;  // where fetching continues once `buffered` is drained

  bool fetchable(int64_t now_ms) const {
    return position && !pending_reset && !fetch_in_flight && buffered.empty() && retry_at_ms <= now_ms;
  }
  void clear_buffer() {
    buffered.clear();
    buffered_next_offset = 0;
  }
};

}  // namespace millrace::client::internal
