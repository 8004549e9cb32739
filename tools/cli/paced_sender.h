#pragma once
// send_paced: the send loop of one benchmark producer thread.
//
// The producer sends the messages first_index, first_index + stride, ... below total (so K threads with
// first_index 0..K-1 and stride K share one global schedule). With a paced schedule, message i is sent no
// earlier than schedule.due_ns(i) and its latency is measured from that intended time, so a stall that delays
// later sends is charged to them (no coordinated omission); when the loop falls behind it sends at once. When
// it is ahead, it sleeps until schedule.wake_ns (the schedule's pace step after i is due).
// Unpaced, latency is measured from just before the send() call (which may block for buffer memory).
#include <cstdint>
#include <string>

#include "delivery_tracker.h"
#include "millrace/client/producer.h"
#include "rate_schedule.h"

namespace millrace::cli {

struct SendPlan {
  std::string topic;
  uint64_t first_index = 0;
  uint64_t stride = 1;
  uint64_t total = 0;
  // Write a PayloadStamp (intended send time, index) into each value, for end-to-end latency.
  bool stamp = false;
  // Stop sending at this steady-clock time (0: no limit), so that a slow broker cannot stretch a run.
  int64_t deadline_ns = 0;
  // If set (one sending thread only), records how late each message got through send(): from its
  // intended send time to send() returning.
  LatencyHistogram* send_lag = nullptr;
};

// Returns how many messages it sent (send() accepted or refused); fewer than planned if the deadline passed.
uint64_t send_paced(client::Producer& producer, DeliveryTracker& tracker, const RateSchedule& schedule,
                    const SendPlan& plan, const std::string& payload);

}  // namespace millrace::cli
