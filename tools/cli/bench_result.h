#pragma once
// BenchResult: what one `millrace bench` run measured, and its two renderings: a few lines of text for people
// and one JSON object for scripts (tools/bench/). Pure; not thread-safe.
//
// Units: MB is 10^6 bytes (as iperf3 and fio report); bytes count record keys and values only, not batch or
// frame overhead. Latencies are printed in milliseconds with microsecond resolution.
//
// JSON fields (always present): kind, topic, messages, failed, bytes, elapsed_s, mb_per_s, msgs_per_s,
// p50_ms, p99_ms, p999_ms, max_ms, mean_ms (null when the run measured no latency, e.g. consume),
// latency_from ("send", "intended_send" or "none"), the run's parameters, first_error (null if none), and for
// e2e the producer's ack latency as ack_p50_ms, ack_p99_ms, ack_p999_ms, ack_max_ms, and how late the sending
// thread got each message into send() as send_lag_p50_ms ... send_lag_max_ms (a lag that is as large as the
// latency means the sending thread itself was held up: CPU, not the broker).
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "latency_histogram.h"

namespace millrace::cli {

struct BenchResult {
  std::string kind;  // produce, consume, e2e
  std::string topic;
  uint64_t messages = 0;  // delivered (produce), received (consume, e2e)
  uint64_t failed = 0;
  uint64_t bytes = 0;
  int64_t elapsed_ns = 0;
  // What latency is measured from: "send" (the send() call), "intended_send" (the rate schedule) or "none".
  std::string latency_from = "none";
  const LatencyHistogram* latency = nullptr;      // null: no latency measured
  const LatencyHistogram* ack_latency = nullptr;  // e2e only: the producer's ack latency
  const LatencyHistogram* send_lag = nullptr;     // e2e only: intended send time to send() returning
  // Run parameters echoed in the output, name and value (rendered as a JSON string).
  std::vector<std::pair<std::string, std::string>> parameters;
  std::optional<std::string> first_error;

  double elapsed_s() const;
  double mb_per_s() const;
  double msgs_per_s() const;

  std::string to_json() const;
  std::string to_text() const;
  // Writes to_json() (one line) or to_text() to stdout and flushes.
  void print(bool json) const;
};

// Nanoseconds as milliseconds with 3 decimals: 1234567 -> "1.235".
std::string format_ms(int64_t nanoseconds);

}  // namespace millrace::cli
