#pragma once
// `millrace bench consume`: reads a topic from the beginning of every partition with one consumer and
// reports throughput. Stops after --messages records (default: the records the topic held when the run
// started) or when nothing arrives for --idle-timeout-ms. It reads with Consumer::poll_views (record views,
// no copies): it only needs sizes, and it measures the broker and the client's fetch path, not string copies.
#include <cstdint>

#include "bench_options.h"

namespace millrace::cli {

struct ConsumeBenchOptions {
  std::string topic;
  BenchConsumerOptions consumer;
  uint64_t messages = 0;  // 0: every record below the log end offsets at the start
  int64_t idle_timeout_ms = 5000;
  bool json = false;
};

int run_consume_bench(const GlobalOptions& globals, const ConsumeBenchOptions& options);

}  // namespace millrace::cli
