#include "report_json.h"

#include <fmt/format.h>

namespace millrace::faulttest {

namespace {

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<int>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

template <class T, class F>
std::string array(const std::vector<T>& items, F&& format) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + format(items[i]);
  return out + "]";
}

std::string partition_json(const PartitionReport& p) {
  return fmt::format(
      R"({{"partition":{},"high_watermarks":{},"records":{},"longest_unavailability_ms":{},"divergent_nodes":{},"first_divergent_offset":{},"errors":{}}})",
      p.partition, array(p.high_watermarks, [](int64_t v) { return std::to_string(v); }), p.records,
      p.longest_unavailability_ms, array(p.divergent_nodes, [](int32_t v) { return std::to_string(v); }),
      p.first_divergent_offset, array(p.errors, quoted));
}

}  // namespace

std::string report_json(const CheckReport& r, const RunInfo& info) {
  std::string out = "{";
  out += fmt::format(R"("result":{},)", quoted(r.passed(info.strict) ? "pass" : "fail"));
  out += fmt::format(R"("acknowledged":{},"lost":{},"duplicated":{},"out_of_order":{},)", r.acknowledged,
                     r.lost, r.duplicated, r.out_of_order);
  out += fmt::format(R"("divergent_replicas":{},"unreadable_replicas":{},"ack_offset_mismatch":{},)",
                     r.divergent_replicas, r.unreadable_replicas, r.ack_mismatch);
  out += fmt::format(R"("longest_unavailability_ms":{},"longest_unavailability_start_ms":{},)",
                     r.longest_unavailability_ms, r.longest_unavailability_start_ms);
  out += fmt::format(R"("max_ack_latency_ms":{},"sent":{},"failed":{},"failed_but_present":{},)",
                     r.max_ack_latency_ms, r.sent, r.failed, r.failed_but_present);
  out += fmt::format(R"("refused_sends":{},"unknown_values":{},"records_read":{},)", info.refused_sends,
                     r.unknown_values, r.records_read);
  out += fmt::format(R"("mode":{},"strict":{},"idempotent":{},)", quoted(info.mode), info.strict,
                     info.mode == "check" ? std::string("null") : fmt::format("{}", info.idempotent));
  out += fmt::format(R"("settled":{},"duration_ms":{},"cycles":{},)", info.settled, info.duration_ms,
                     info.cycles);
  out += fmt::format(R"("dir":{},"partitions":{},)", quoted(info.dir), array(r.partitions, partition_json));
  out += fmt::format(R"("faults":{},)", array(info.events, [](const FaultEvent& e) {
                       return fmt::format(R"({{"at_ms":{},"what":{}}})", e.at_ms, quoted(e.what));
                     }));
  out += fmt::format(R"("examples":{})", array(r.examples, quoted));
  return out + "}";
}

}  // namespace millrace::faulttest
