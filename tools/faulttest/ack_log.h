#pragma once
// The workload's record of what it wrote: one entry per record sent, with the outcome of its delivery.
// Values are "<producer>/<partition>/<sequence>", unique over a run; the checker looks for them in the logs.
// The file form (one entry per line, tab-separated) lets `millrace-faulttest check` judge a finished run.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace millrace::faulttest {

struct AckEntry {
  int32_t producer = 0;
  int32_t partition = 0;
  int64_t sequence = 0;  // per producer and partition, from 0, in send order
  int64_t offset = -1;   // acknowledged offset; -1 when delivery failed
  int64_t send_ms = 0;   // since the run began
  int64_t done_ms = 0;   // when the delivery report came
  bool acknowledged = false;
};

std::string record_value(int32_t producer, int32_t partition, int64_t sequence);
// Parses a value written by record_value(); nullopt for anything else.
struct ValueId {
  int32_t producer = 0;
  int32_t partition = 0;
  int64_t sequence = 0;
  auto operator<=>(const ValueId&) const = default;
};
std::optional<ValueId> parse_value(const std::string& value);

// Writes/reads the tab-separated form: producer partition sequence offset send_ms done_ms acknowledged(0/1).
bool write_ack_log(const std::string& path, const std::vector<AckEntry>& entries);
std::optional<std::vector<AckEntry>> read_ack_log(const std::string& path);

}  // namespace millrace::faulttest
