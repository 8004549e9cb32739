#pragma once
// DeliveryTracker: one benchmark producer's delivery outcomes: how many records were acknowledged or failed,
// their ack latency (report time minus the time the caller measures from), the last ack time, and the first
// error.
//
// Thread-safety: on_report() runs on the producer's I/O thread only (the histogram is not locked);
// on_send_failed() may run on any thread. Read latency() only after the producer is closed, which joins its
// I/O thread.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "latency_histogram.h"
#include "millrace/client/delivery_report.h"

namespace millrace::cli {

class DeliveryTracker {
 public:
  void on_report(const client::DeliveryReport& report, int64_t measured_from_ns);
  void on_send_failed(const Error& error);

  uint64_t delivered() const { return delivered_.load(std::memory_order_relaxed); }
  uint64_t failed() const { return failed_.load(std::memory_order_relaxed); }
  int64_t last_ack_ns() const { return last_ack_ns_.load(std::memory_order_relaxed); }
  const LatencyHistogram& latency() const { return latency_; }
  std::optional<std::string> first_error() const;

 private:
  void note_error(const Error& error);

  LatencyHistogram latency_;
  std::atomic<uint64_t> delivered_{0};
  std::atomic<uint64_t> failed_{0};
  std::atomic<int64_t> last_ack_ns_{0};
  mutable std::mutex mutex_;
  std::optional<std::string> first_error_;
};

}  // namespace millrace::cli
