#pragma once
// ConsumerPartition: the consumer's state for one assigned partition. Owned by the consumer's thread.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fetcher.h"
#include "millrace/client/consumer_config.h"
#include "millrace/protocol/record_view.h"

namespace millrace::client::internal {

// The records of one fetch, handed out from the front: views into `frame` (the fetched response, shared with
// the other partitions of that fetch and with the ConsumerRecords they are handed out in). The frame is
// released once drained.
class FetchedRecordQueue {
 public:
  // Takes `records` (views into `frame`), leaving in it the queue's previous, emptied vector for reuse.
  void assign(std::vector<protocol::RecordView>& records, std::shared_ptr<const void> frame) {
    clear();
    records_.swap(records);
    frame_ = std::move(frame);
    if (records_.empty()) clear();
  }
  bool empty() const { return next_ == records_.size(); }
  size_t size() const { return records_.size() - next_; }
  const protocol::RecordView& front() const { return records_[next_]; }
  const std::shared_ptr<const void>& frame() const { return frame_; }
  void pop_front() {
    if (++next_ == records_.size()) clear();
  }
  void clear() {
    records_.clear();
    next_ = 0;
    frame_.reset();
  }

 private:
  std::vector<protocol::RecordView> records_;
  size_t next_ = 0;
  std::shared_ptr<const void> frame_;
};

struct ConsumerPartition {
  std::shared_ptr<const std::string> topic;  // the name record views point to; set on first use
  std::optional<int64_t> position;           // next offset to return; unset until resolved
  std::optional<OffsetReset> pending_reset;  // seek_to_beginning/end or an out-of-range reset to resolve
  bool fetch_in_flight = false;
  int64_t retry_at_ms = 0;  // backoff after a retriable error
  // A fetch result taken up but not yet moved to `buffered`: that happens when the partition is drained (and
  // the result is checked and decoded then, unless an I/O thread did it), after the next fetch has gone out,
  // so that a result that could not be read reports its error only after the records before it were handed
  // out.
  std::optional<CompletedFetch> arrived;
  FetchedRecordQueue buffered;       // fetched, not yet returned; offsets >= position
  int64_t buffered_next_offset = 0;  // where fetching continues once `arrived` and `buffered` are drained
  // The next fetch's result, sent while the partition still had records (so the network and the broker work
  // while this thread checks them and the application takes them). Taken up once they are all returned.
  std::optional<CompletedFetch> prefetched;

  bool has_records() const { return arrived.has_value() || !buffered.empty(); }
  // A partition fetches when it has a position and nothing in flight or waiting; while it still has records
  // it fetches ahead, from where they end (one result ahead at most).
  bool fetchable(int64_t now_ms) const {
    return position && !pending_reset && !fetch_in_flight && !prefetched && retry_at_ms <= now_ms;
  }
  int64_t next_fetch_offset() const { return has_records() ? buffered_next_offset : *position; }
  void clear_buffer() {
    arrived.reset();
    buffered.clear();
    buffered_next_offset = 0;
    prefetched.reset();
  }
};

}  // namespace millrace::client::internal
