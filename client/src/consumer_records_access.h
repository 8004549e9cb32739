#pragma once
// ConsumerRecordsAccess: how the consumer fills a ConsumerRecords (whose members are private to users).
#include <algorithm>
#include <memory>
#include <utility>

#include "millrace/client/consumer_records.h"
#include "spare_buffers.h"

namespace millrace::client::internal {

// A consumer's spare view array (one: a poll's records are usually dropped before the next poll).
class SpareViewArrays : public SpareBuffers<std::vector<ConsumerRecordView>> {
 public:
  SpareViewArrays() : SpareBuffers(1, 1, static_cast<size_t>(-1)) {}
};

struct ConsumerRecordsAccess {
  // Starts `records` (empty) on a spare view array, and has its array go back to `spares` when it is dropped.
  static void use_spares(ConsumerRecords& records, std::shared_ptr<SpareViewArrays> spares) {
    records.records_ = spares->take(0);
    records.spares_ = std::move(spares);
  }
  static void reserve(ConsumerRecords& records, size_t n) { records.records_.reserve(n); }
  static size_t size(const ConsumerRecords& records) { return records.records_.size(); }
  static void push(ConsumerRecords& records, const ConsumerRecordView& view) {
    records.records_.push_back(view);
  }
  // Keeps `owner` alive as long as `records`; a no-op if it already does.
  static void keep(ConsumerRecords& records, std::shared_ptr<const void> owner) {
    auto& owners = records.owners_;
    if (std::find(owners.begin(), owners.end(), owner) == owners.end()) owners.push_back(std::move(owner));
  }
};

}  // namespace millrace::client::internal
