#include "bench_produce.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "bench_clock.h"
#include "bench_payload.h"
#include "bench_result.h"
#include "paced_sender.h"

namespace millrace::cli {

namespace {

struct ProducerSlot {
  std::unique_ptr<client::Producer> producer;
  DeliveryTracker tracker;
};

}  // namespace

int run_produce_bench(const GlobalOptions& globals, const ProduceBenchOptions& options) {
  auto partitions = prepare_topic(globals, options.topic);
  if (!partitions) return report_error(partitions.error());
  auto config = producer_config(globals, options.producer);
  if (!config) return report_error(config.error(), kExitUsage);

  std::vector<std::unique_ptr<ProducerSlot>> slots;
  for (int32_t k = 0; k < options.producers; ++k) {
    auto producer = client::Producer::create(*config);
    if (!producer) return report_error(producer.error());
    slots.push_back(std::make_unique<ProducerSlot>());
    slots.back()->producer = std::move(*producer);
  }
  const std::string payload = make_payload(options.size_bytes, 1);
  const RateSchedule schedule(steady_now_ns(), options.rate, options.pace_step_us * 1000);
  std::vector<std::thread> threads;
  for (int32_t k = 0; k < options.producers; ++k) {
    SendPlan plan{options.topic.topic,
                  static_cast<uint64_t>(k),
                  static_cast<uint64_t>(options.producers),
                  options.messages,
                  false,
                  deadline_after(schedule.start_ns(), options.max_seconds)};
    threads.emplace_back([&, k, plan] {
      ProducerSlot& slot = *slots[static_cast<size_t>(k)];
      send_paced(*slot.producer, slot.tracker, schedule, plan, payload);
      slot.producer->close();  // flushes; joins the I/O thread, so the tracker is ours afterwards
    });
  }
  for (auto& thread : threads) thread.join();

  LatencyHistogram latency;
  BenchResult result;
  int64_t end_ns = schedule.start_ns();
  uint64_t sent = 0;
  for (const auto& slot : slots) {
    sent += slot->tracker.delivered() + slot->tracker.failed();
    latency.merge(slot->tracker.latency());
    result.messages += slot->tracker.delivered();
    result.failed += slot->tracker.failed();
    end_ns = std::max(end_ns, slot->tracker.last_ack_ns());
    if (!result.first_error) result.first_error = slot->tracker.first_error();
  }
  result.kind = "produce";
  result.topic = options.topic.topic;
  result.bytes = result.messages * options.size_bytes;
  result.elapsed_ns = end_ns - schedule.start_ns();
  result.latency = &latency;
  result.latency_from = schedule.paced() ? "intended_send" : "send";
  result.parameters = {{"acks", options.producer.acks},
                       {"size", std::to_string(options.size_bytes)},
                       {"partitions", std::to_string(*partitions)},
                       {"producers", std::to_string(options.producers)},
                       {"batch_bytes", std::to_string(options.producer.batch_bytes)},
                       {"backlog_batch_bytes", std::to_string(options.producer.backlog_batch_bytes)},
                       {"linger_ms", std::to_string(options.producer.linger_ms)},
                       {"rate", std::to_string(static_cast<uint64_t>(options.rate))},
                       {"pace_step_us", std::to_string(options.pace_step_us)},
                       {"planned_messages", std::to_string(options.messages)},
                       {"stopped_early", sent < options.messages ? "true" : "false"}};
  result.print(options.json);
  if (result.failed > 0) {
    return report_error(std::to_string(result.failed) + " of " + std::to_string(sent) +
                        " records failed; first error: " + result.first_error.value_or("?"));
  }
  return kExitOk;
}

}  // namespace millrace::cli
