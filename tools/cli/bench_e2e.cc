#include "bench_e2e.h"

#include <atomic>
#include <cstdio>
#include <thread>

#include "bench_clock.h"
#include "bench_payload.h"
#include "bench_result.h"
#include "millrace/client/consumer.h"
#include "paced_sender.h"

namespace millrace::cli {

namespace {

constexpr auto kPollSlice = std::chrono::milliseconds(50);

struct Received {
  LatencyHistogram latency;
  uint64_t messages = 0;
  uint64_t bytes = 0;
  int64_t last_record_ns = 0;
  std::optional<std::string> error;
};

// What the producer side tells the consumer thread once it is done.
struct SendersDone {
  std::atomic<bool> done{false};
  std::atomic<uint64_t> sent{0};
};

// Polls until `expected` stamped records of this run arrived (fewer if the producer stopped early), or the
// producer is done and nothing arrived for idle_timeout_ms.
void receive(client::Consumer& consumer, const RateSchedule& schedule, uint64_t expected,
             int64_t idle_timeout_ms, const SendersDone& producer, Received& out) {
  out.last_record_ns = steady_now_ns();
  while (out.messages < expected) {
    if (producer.done.load() && out.messages >= producer.sent.load()) return;
    // Views are enough (the stamp and the sizes): no copy or allocation per record.
    auto records = consumer.poll_views(kPollSlice);
    const int64_t now_ns = steady_now_ns();
    if (!records) {
      out.error = records.error().to_string();
      return;
    }
    for (const auto& record : *records) {
      const auto stamp = record.value ? read_stamp(*record.value) : std::nullopt;
      if (!stamp || stamp->index >= expected || stamp->intended_send_ns < schedule.start_ns()) continue;
      out.latency.record(now_ns - stamp->intended_send_ns);
      out.bytes += record.value->size() + (record.key ? record.key->size() : 0);
      ++out.messages;
      out.last_record_ns = now_ns;
    }
    if (records->empty() && producer.done.load() &&
        now_ns - out.last_record_ns > idle_timeout_ms * 1'000'000) {
      return;
    }
  }
}

// Assigns every partition of the topic and moves to its end, so only this run's records are read.
Status position_at_end(client::Consumer& consumer, const std::string& topic) {
  if (auto st = consumer.assign_topic(topic); !st) return st;
  if (auto st = consumer.seek_to_end(); !st) return st;
  for (const auto& partition : consumer.assignment()) {
    if (auto position = consumer.position(partition); !position) return std::move(position).error();
  }
  return {};
}

}  // namespace

int run_e2e_bench(const GlobalOptions& globals, const E2eBenchOptions& options) {
  if (options.size_bytes < kStampBytes) {
    return report_error("--size must be at least " + std::to_string(kStampBytes) + " for e2e", kExitUsage);
  }
  auto partitions = prepare_topic(globals, options.topic);
  if (!partitions) return report_error(partitions.error());
  auto config = producer_config(globals, options.producer);
  if (!config) return report_error(config.error(), kExitUsage);
  auto consumer = client::Consumer::create(consumer_config(globals, options.consumer));
  if (!consumer) return report_error(consumer.error());
  if (auto st = position_at_end(**consumer, options.topic.topic); !st) return report_error(st.error());
  auto producer = client::Producer::create(*config);
  if (!producer) return report_error(producer.error());

  const std::string payload = make_payload(options.size_bytes, 2);
  const RateSchedule schedule(steady_now_ns(), options.rate, options.pace_step_us * 1000);
  DeliveryTracker tracker;
  Received received;
  SendersDone producer_side;
  std::thread consumer_thread([&] {
    receive(**consumer, schedule, options.messages, options.idle_timeout_ms, producer_side, received);
  });
  LatencyHistogram send_lag;
  const SendPlan plan{options.topic.topic,
                      0,
                      1,
                      options.messages,
                      true,
                      deadline_after(schedule.start_ns(), options.max_seconds),
                      &send_lag};
  const uint64_t sent = send_paced(**producer, tracker, schedule, plan, payload);
  (*producer)->close();
  producer_side.sent.store(sent - tracker.failed());
  producer_side.done.store(true);
  consumer_thread.join();

  BenchResult result;
  result.kind = "e2e";
  result.topic = options.topic.topic;
  result.messages = received.messages;
  result.failed = tracker.failed();
  result.bytes = received.bytes;
  result.elapsed_ns = received.last_record_ns - schedule.start_ns();
  result.latency = &received.latency;
  result.ack_latency = &tracker.latency();
  result.send_lag = &send_lag;
  result.latency_from = "intended_send";
  result.first_error = received.error ? received.error : tracker.first_error();
  if (!result.first_error && received.messages < sent) {
    result.first_error = "only " + std::to_string(received.messages) + " of " + std::to_string(sent) +
                         " records were consumed";
  }
  result.parameters = {{"acks", options.producer.acks},
                       {"size", std::to_string(options.size_bytes)},
                       {"partitions", std::to_string(*partitions)},
                       {"batch_bytes", std::to_string(options.producer.batch_bytes)},
                       {"backlog_batch_bytes", std::to_string(options.producer.backlog_batch_bytes)},
                       {"linger_ms", std::to_string(options.producer.linger_ms)},
                       {"rate", std::to_string(static_cast<uint64_t>(options.rate))},
                       {"pace_step_us", std::to_string(options.pace_step_us)},
                       {"planned_messages", std::to_string(options.messages)},
                       {"stopped_early", sent < options.messages ? "true" : "false"}};
  result.print(options.json);
  if (result.first_error) return report_error(*result.first_error);
  return kExitOk;
}

}  // namespace millrace::cli
