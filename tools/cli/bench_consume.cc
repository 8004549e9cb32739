#include "bench_consume.h"

#include <cstdio>
#include <map>
#include <optional>

#include "bench_clock.h"
#include "bench_result.h"
#include "millrace/client/admin.h"
#include "millrace/client/consumer.h"

namespace millrace::cli {

namespace {

constexpr auto kPollSlice = std::chrono::milliseconds(100);

// What a consume of the whole topic must reach: every partition's log end offset now, and the offsets between
// log start and log end (an upper bound on the records: control batches, such as the one a new leader of a
// replicated partition writes, take offsets but are not delivered).
struct TopicExtent {
  std::map<client::TopicPartition, Offset> ends;
  uint64_t offsets = 0;
};

Result<TopicExtent> extent_of_topic(const GlobalOptions& globals, const std::string& topic) {
  auto admin = client::Admin::create(connection_config(globals));
  if (!admin) return std::move(admin).error();
  auto starts = (*admin)->list_offsets(topic, client::OffsetSpec::earliest);
  if (!starts) return std::move(starts).error();
  auto ends = (*admin)->list_offsets(topic, client::OffsetSpec::latest);
  if (!ends) return std::move(ends).error();
  TopicExtent extent;
  for (const auto& [partition, end] : *ends) {
    const auto start = starts->find(partition);
    extent.offsets += static_cast<uint64_t>(end.value - (start == starts->end() ? 0 : start->second.value));
    extent.ends.emplace(partition, end);
  }
  return extent;
}

// Whether the consumer's position in every partition has reached its end offset.
bool reached(client::Consumer& consumer, const std::map<client::TopicPartition, Offset>& ends) {
  for (const auto& [partition, end] : ends) {
    auto position = consumer.position(partition);
    if (!position || *position < end) return false;
  }
  return true;
}

}  // namespace

int run_consume_bench(const GlobalOptions& globals, const ConsumeBenchOptions& options) {
  uint64_t target = options.messages;
  std::optional<TopicExtent> extent;  // with no --messages: read up to the end offsets
  if (target == 0) {
    auto found = extent_of_topic(globals, options.topic);
    if (!found) return report_error(found.error());
    extent = std::move(*found);
    target = extent->offsets;
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
  const auto done = [&] { return extent ? reached(**consumer, extent->ends) : result.messages >= target; };
  while (!done()) {
    // Only sizes are needed, so the views of poll_views() are enough: no copy or allocation per record.
    auto records = (*consumer)->poll_views(kPollSlice);
    if (!records) return report_error(records.error());
    const int64_t now_ns = steady_now_ns();
    if (records->empty()) {
      if (now_ns - last_record_ns > options.idle_timeout_ms * 1'000'000) break;
      continue;
    }
    last_record_ns = now_ns;
    for (const client::ConsumerRecordView& record : *records) {
      result.bytes += (record.key ? record.key->size() : 0) + (record.value ? record.value->size() : 0);
    }
    result.messages += records->size();
  }
  result.kind = "consume";
  result.topic = options.topic;
  result.elapsed_ns = last_record_ns - start_ns;
  result.parameters = {{"partitions", std::to_string((*consumer)->assignment().size())},
                       {"max_poll_records", std::to_string(options.consumer.max_poll_records)}};
  if (!done()) {
    result.first_error = "only " + std::to_string(result.messages) + " of " + std::to_string(target) +
                         " records arrived before " + std::to_string(options.idle_timeout_ms) +
                         " ms without records (--idle-timeout-ms)";
  }
  result.print(options.json);
  if (result.first_error) return report_error(*result.first_error);
  return kExitOk;
}

}  // namespace millrace::cli
