#pragma once
// ConsumerRecords: what Consumer::poll_views returns — the records of one poll as views into the fetched
// response bytes, with no heap allocation per record.
//
// Lifetime: a ConsumerRecordView (its topic, key, value and headers) points into memory the ConsumerRecords
// it came from owns: the fetched response frames and the topic names. Every view stays valid until that
// ConsumerRecords object is destroyed or assigned to — not beyond, and independent of later poll(),
// poll_views(), seek() or assign() calls, or of the Consumer itself being closed or destroyed. Copy what must
// outlive it (to_record() makes an owning ConsumerRecord). Holding a ConsumerRecords keeps whole fetch
// responses (up to fetch_max_bytes each) in memory, so drop it once its records are handled.
//
// Thread-safety: a ConsumerRecords is a plain value; reading it from several threads at once is safe.
#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "millrace/client/consumer_record.h"
#include "millrace/protocol/record_view.h"
#include "millrace/protocol/strong_types.h"

namespace millrace::client {

namespace internal {
struct ConsumerRecordsAccess;
class SpareViewArrays;
}  // namespace internal

using protocol::HeaderView;
using protocol::HeaderViews;

struct ConsumerRecordView {
  std::string_view topic;
  PartitionId partition{0};
  Offset offset{0};
  std::optional<std::string_view> key;    // nullopt: a null key
  std::optional<std::string_view> value;  // nullopt: a null value (a tombstone)
  HeaderViews headers;                    // iterate for HeaderView {key, optional value}
  int64_t timestamp_ms = 0;               // create time, ms since the epoch

  // An owning copy (allocates the topic, key, value and headers).
  ConsumerRecord to_record() const;
};

class ConsumerRecords {
 public:
  using const_iterator = std::vector<ConsumerRecordView>::const_iterator;

  ConsumerRecords() = default;
  ConsumerRecords(ConsumerRecords&&) noexcept = default;
  ConsumerRecords& operator=(ConsumerRecords&& other) noexcept;
  ~ConsumerRecords();
  ConsumerRecords(const ConsumerRecords&) = delete;
  ConsumerRecords& operator=(const ConsumerRecords&) = delete;

  bool empty() const { return records_.empty(); }
  size_t size() const { return records_.size(); }
  const ConsumerRecordView& operator[](size_t i) const { return records_[i]; }
  const_iterator begin() const { return records_.begin(); }
  const_iterator end() const { return records_.end(); }

 private:
  friend struct internal::ConsumerRecordsAccess;

  std::vector<ConsumerRecordView> records_;
  std::vector<std::shared_ptr<const void>> owners_;  // what the views point into: frames, topic names
  // Where the consumer that made these records takes the next poll's view array from: records_' storage
  // goes back there when this object is destroyed or assigned to, so polls reuse it.
  std::shared_ptr<internal::SpareViewArrays> spares_;
};

}  // namespace millrace::client
