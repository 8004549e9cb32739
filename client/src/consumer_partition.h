#pragma once
// ConsumerPartition: the consumer's state for one assigned partition. Owned by the consumer's thread.
#include <cstdint>
#include <deque>
#include <optional>

#include "millrace/client/consumer_config.h"
#include "millrace/protocol/record.h"

namespace millrace::client::internal {

struct ConsumerPartition {
  std::optional<int64_t> position;           // next offset to return; unset until resolved
  std::optional<OffsetReset> pending_reset;  // seek_to_beginning/end or an out-of-range reset to resolve
  bool fetch_in_flight = false;
  int64_t retry_at_ms = 0;                // backoff after a retriable error
  std::deque<protocol::Record> buffered;  // fetched, not yet returned; offsets >= position
  int64_t buffered_next_offset = 0;       // where fetching continues once `buffered` is drained

  bool fetchable(int64_t now_ms) const {
    return position && !pending_reset && !fetch_in_flight && buffered.empty() && retry_at_ms <= now_ms;
  }
  void clear_buffer() {
    buffered.clear();
    buffered_next_offset = 0;
  }
};

}  // namespace millrace::client::internal
