#pragma once
// AckedRecords: what a producer in an integration test had acknowledged — value -> (partition, offset) — for
// checking afterwards that every acknowledged record is readable exactly where it was acknowledged.
// Callbacks may run on the producer's threads; read the fields once the producer is flushed, or under
// `mutex`.
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "millrace/client/producer.h"

namespace millrace::testing {

struct AckedRecords {
  std::mutex mutex;
  std::map<std::string, std::pair<int32_t, int64_t>> by_value;  // guarded by mutex
  std::atomic<size_t> ok{0};
  std::atomic<size_t> failed{0};
  std::string first_error;  // guarded by mutex

  // The callback for sending the record whose value is `value`.
  client::DeliveryCallback callback(const std::string& value) {
    return [this, value](const client::DeliveryReport& report) {
      std::lock_guard lock(mutex);
      if (!report.ok()) {
        ++failed;
        if (first_error.empty()) first_error = report.error->to_string();
        return;
      }
      by_value[value] = {report.partition.value, report.offset.value};
      ++ok;
    };
  }
};

}  // namespace millrace::testing
