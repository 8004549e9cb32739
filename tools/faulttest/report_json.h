#pragma once
// The fault test's one-line JSON summary.
#include <string>
#include <vector>

#include "checker.h"
#include "fault_injector.h"

namespace millrace::faulttest {

struct RunInfo {
  std::string mode = "run";  // "run", or "check" (an ack log judged later: no run facts, idempotent unknown)
  bool strict = true;
  bool idempotent = true;
  int64_t duration_ms = 0;
  int32_t cycles = 0;
  int64_t refused_sends = 0;
  bool settled = false;  // every node reported the same high watermark for every partition before the check
  std::string dir;
  std::vector<FaultEvent> events;
};

std::string report_json(const CheckReport& report, const RunInfo& info);

}  // namespace millrace::faulttest
