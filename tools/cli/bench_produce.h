#pragma once
// `millrace bench produce`: sends --messages records of --size bytes from --producers producers (each with
// its own connection and I/O thread, each on its own thread) and reports throughput and ack latency. With
// --max-seconds, sending stops early when that time is up, and the numbers cover what was sent.
#include <cstdint>

#include "bench_options.h"

namespace millrace::cli {

struct ProduceBenchOptions {
  BenchTopicOptions topic;
  BenchProducerOptions producer;
  uint64_t messages = 1000000;
  size_t size_bytes = 1024;
  int32_t producers = 1;
  double rate = 0;  // messages per second over all producers; 0: as fast as possible
  int64_t pace_step_us = kDefaultPaceStepUs;  // with a rate: see RateSchedule
  double max_seconds = 0;  // stop sending after this long (0: no limit); the result counts what was sent
  bool json = false;
};

int run_produce_bench(const GlobalOptions& globals, const ProduceBenchOptions& options);

}  // namespace millrace::cli
