#pragma once
// `millrace bench e2e`: one producer sends --messages records at a fixed --rate while one consumer in the
// same process reads them; each record's end-to-end latency is the time the consumer got it minus the time
// it was meant to be sent (stamped in its value), so stalls are not hidden. Reports consumed throughput, the
// end-to-end latency percentiles, and the producer's ack latency (also from the intended send time).
#include <cstdint>

#include "bench_options.h"

namespace millrace::cli {

struct E2eBenchOptions {
  BenchTopicOptions topic;
  BenchProducerOptions producer;
  BenchConsumerOptions consumer;
  uint64_t messages = 100000;
  size_t size_bytes = 1024;
  double rate = 0;                            // required, > 0
  int64_t pace_step_us = kDefaultPaceStepUs;  // see RateSchedule
  int64_t idle_timeout_ms = 5000;
  double max_seconds = 0;  // stop sending after this long (0: no limit)
  bool json = false;
};

int run_e2e_bench(const GlobalOptions& globals, const E2eBenchOptions& options);

}  // namespace millrace::cli
