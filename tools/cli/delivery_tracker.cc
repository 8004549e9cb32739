#include "delivery_tracker.h"

#include "bench_clock.h"

namespace millrace::cli {

void DeliveryTracker::on_report(const client::DeliveryReport& report, int64_t measured_from_ns) {
  const int64_t now_ns = steady_now_ns();
  last_ack_ns_.store(now_ns, std::memory_order_relaxed);
  if (!report.ok()) {
    note_error(*report.error);
    return;
  }
  latency_.record(now_ns - measured_from_ns);
  delivered_.fetch_add(1, std::memory_order_relaxed);
}

void DeliveryTracker::on_send_failed(const Error& error) {
  note_error(error);
}

void DeliveryTracker::note_error(const Error& error) {
  failed_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(mutex_);
  if (!first_error_) first_error_ = error.to_string();
}

std::optional<std::string> DeliveryTracker::first_error() const {
  std::lock_guard lock(mutex_);
  return first_error_;
}

}  // namespace millrace::cli
