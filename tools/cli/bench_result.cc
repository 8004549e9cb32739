#include "bench_result.h"

#include <cstdio>

#include "json_writer.h"

namespace millrace::cli {

namespace {

constexpr double kNanosPerSecond = 1e9;
constexpr double kBytesPerMegabyte = 1e6;

std::string format_fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

// The JSON members of one histogram: "<prefix>p50_ms": ..., or nulls.
void append_latency_json(std::string& out, const std::string& prefix, const LatencyHistogram* latency) {
  const auto member = [&](const char* name, const std::string& value) {
    out += ",\"" + prefix + name + "\":" + value;
  };
  if (latency == nullptr || latency->count() == 0) {
    for (const char* name : {"p50_ms", "p99_ms", "p999_ms", "max_ms", "mean_ms"}) member(name, "null");
    return;
  }
  member("p50_ms", format_ms(latency->percentile(50)));
  member("p99_ms", format_ms(latency->percentile(99)));
  member("p999_ms", format_ms(latency->percentile(99.9)));
  member("max_ms", format_ms(latency->max()));
  member("mean_ms", format_fixed(latency->mean() / 1e6, 3));
}

std::string latency_line(const char* label, const LatencyHistogram& latency) {
  return std::string(label) + " ms: p50 " + format_ms(latency.percentile(50)) + "  p99 " +
         format_ms(latency.percentile(99)) + "  p99.9 " + format_ms(latency.percentile(99.9)) + "  max " +
         format_ms(latency.max()) + "  (" + std::to_string(latency.count()) + " samples)\n";
}

}  // namespace

std::string format_ms(int64_t nanoseconds) {
  return format_fixed(static_cast<double>(nanoseconds) / 1e6, 3);
}

double BenchResult::elapsed_s() const {
  return static_cast<double>(elapsed_ns) / kNanosPerSecond;
}

double BenchResult::mb_per_s() const {
  return elapsed_ns <= 0 ? 0.0 : static_cast<double>(bytes) / kBytesPerMegabyte / elapsed_s();
}

double BenchResult::msgs_per_s() const {
  return elapsed_ns <= 0 ? 0.0 : static_cast<double>(messages) / elapsed_s();
}

std::string BenchResult::to_json() const {
  std::string out = "{\"kind\":" + json_quote(kind) + ",\"topic\":" + json_quote(topic);
  out += ",\"messages\":" + std::to_string(messages) + ",\"failed\":" + std::to_string(failed);
  out += ",\"bytes\":" + std::to_string(bytes) + ",\"elapsed_s\":" + format_fixed(elapsed_s(), 6);
  out += ",\"mb_per_s\":" + format_fixed(mb_per_s(), 3) + ",\"msgs_per_s\":" + format_fixed(msgs_per_s(), 1);
  append_latency_json(out, "", latency);
  out += ",\"latency_from\":" + json_quote(latency_from);
  if (ack_latency != nullptr) append_latency_json(out, "ack_", ack_latency);
  if (send_lag != nullptr) append_latency_json(out, "send_lag_", send_lag);
  for (const auto& [name, value] : parameters) out += "," + json_quote(name) + ":" + json_quote(value);
  out += ",\"first_error\":" + (first_error ? json_quote(*first_error) : std::string("null")) + "}";
  return out;
}

std::string BenchResult::to_text() const {
  std::string out = kind + " " + topic + ":";
  for (const auto& [name, value] : parameters) out += " " + name + "=" + value;
  out += "\n" + std::to_string(messages) + " messages, " + format_fixed(static_cast<double>(bytes) / 1e6, 1) +
         " MB in " + format_fixed(elapsed_s(), 3) + " s: " + format_fixed(mb_per_s(), 1) + " MB/s, " +
         format_fixed(msgs_per_s(), 0) + " msgs/s\n";
  const char* label = kind == "e2e" ? "end-to-end latency" : "ack latency";
  if (latency != nullptr && latency->count() > 0) {
    out += latency_line(label, *latency);
    if (latency_from == "intended_send") out += "  (measured from each message's intended send time)\n";
  }
  if (ack_latency != nullptr && ack_latency->count() > 0) out += latency_line("ack latency", *ack_latency);
  if (send_lag != nullptr && send_lag->count() > 0) out += latency_line("send lag", *send_lag);
  if (failed > 0) {
    out += std::to_string(failed) + " messages failed" +
           (first_error ? "; first error: " + *first_error : "") + "\n";
  }
  return out;
}

void BenchResult::print(bool json) const {
  const std::string out = json ? to_json() + "\n" : to_text();
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
}

}  // namespace millrace::cli
