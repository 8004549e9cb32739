#include "bench_consume.h"

#include <cstdio>

#include "bench_clock.h"
#include "bench_result.h"
#include "millrace/client/admin.h"
#include "millrace/client/consumer.h"

namespace millrace::cli {

namespace {

constexpr auto kPollSlice = std::chrono::milliseconds(100);

// Records between the log start and log end of every partition of `topic`, now.
Result<uint64_t> records_in_topic(const GlobalOptions& globals, const std::string& topic) {
  auto admin = client::Admin::create(connection_config(globals));
  if (!admin) return std::move(admin).error();
  auto starts = (*admin)->list_offsets(topic, client::OffsetSpec::earliest);
  if (!starts) return std::move(starts).error();
  auto ends = (*admin)->list_offsets(topic, client::OffsetSpec::latest);
  if (!ends) return std::move(ends).error();
  uint64_t total = 0;
  for (const auto& [partition, end] : *ends) {
    const auto start = starts->find(partition);
    total += static_cast<uint64_t>(end.value - (start == starts->end() ? 0 : start->second.value));
  }
  return total;
}

}  // namespace

int run_consume_bench(const GlobalOptions& globals, const ConsumeBenchOptions& options) {
  uint64_t target = options.messages;
  if (target == 0) {
    auto total = records_in_topic(globals, options.topic);
    if (!total) return report_error(total.error());
    target = *total;
  }
  auto consumer = client::Consumer::create(consumer_config(globals, options.consumer));
  if (!consumer) return report_error(consumer.error());
  if (auto st = (*consumer)->assign_topic(options.topic); !st) return report_error(st.error());
  for (const auto& partition :
       (*consumer)->assignment()) {  // resolve the start offsets before the clock runs
    if (auto position = (*consumer)->position(partition); !position) return report_error(position.error());
  }

  BenchResult result;
  const int64_t start_ns = steady_now_ns();
  int64_t last_record_ns = start_ns;
  while (result.messages < target) {
    auto records = (*consumer)->poll(kPollSlice);
    if (!records) return report_error(records.error());
    const int64_t now_ns = steady_now_ns();
    if (records->empty()) {
      if (now_ns - last_record_ns > options.idle_timeout_ms * 1'000'000) break;
      continue;
    }
    last_record_ns = now_ns;
    for (const auto& record : *records) {
      result.bytes += (record.key ? record.key->size() : 0) + (record.value ? record.value->size() : 0);
    }
    result.messages += records->size();
  }
  result.kind = "consume";
  result.topic = options.topic;
  result.elapsed_ns = last_record_ns - start_ns;
  result.parameters = {{"partitions", std::to_string((*consumer)->assignment().size())},
                       {"max_poll_records", std::to_string(options.consumer.max_poll_records)}};
  if (result.messages < target) {
    result.first_error = "only " + std::to_string(result.messages) + " of " + std::to_string(target) +
                         " records arrived before " + std::to_string(options.idle_timeout_ms) +
                         " ms without records (--idle-timeout-ms)";
  }
  result.print(options.json);
  if (result.first_error) return report_error(*result.first_error);
  return kExitOk;
}

}  // namespace millrace::cli
