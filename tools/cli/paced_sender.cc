#include "paced_sender.h"

#include <thread>

#include "bench_clock.h"
#include "bench_payload.h"

namespace millrace::cli {

uint64_t send_paced(client::Producer& producer, DeliveryTracker& tracker, const RateSchedule& schedule,
                    const SendPlan& plan, const std::string& payload) {
  uint64_t sent = 0;
  // send_view() copies the value into its batch, so one buffer serves every message (restamped each time).
  std::string value = payload;
  for (uint64_t index = plan.first_index; index < plan.total; index += plan.stride) {
    // One clock read per message serves the deadline, the pacing and an unpaced message's start.
    const int64_t now_ns = steady_now_ns();
    if (plan.deadline_ns != 0 && now_ns >= plan.deadline_ns) break;
    int64_t measured_from_ns = now_ns;
    if (schedule.paced()) {
      measured_from_ns = schedule.due_ns(index);
      if (const auto wake = schedule.wake_ns(measured_from_ns, now_ns))
        std::this_thread::sleep_until(steady_time_point(*wake));
    }
    if (plan.stamp) write_stamp(value, PayloadStamp{measured_from_ns, index});
    client::ProducerRecordView record;
    record.topic = plan.topic;
    record.value = value;
    auto st = producer.send_view(record, [&tracker, measured_from_ns](const client::DeliveryReport& report) {
      tracker.on_report(report, measured_from_ns);
    });
    if (!st) tracker.on_send_failed(st.error());
    if (plan.send_lag != nullptr) plan.send_lag->record(steady_now_ns() - measured_from_ns);
    ++sent;
  }
  return sent;
}

}  // namespace millrace::cli
