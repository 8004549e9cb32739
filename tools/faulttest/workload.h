#pragma once
// Workload: K producers (one client Producer and one sending thread each) writing unique values to every
// partition of the topic in turn, at a fixed rate, acks=all. Every record sent becomes an AckEntry whose
// outcome the delivery callback fills in.
//
// Thread-safety: start(), stop() and entries() are called by one thread (the runner); the producers' I/O
// threads fill the entries under a mutex.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ack_log.h"
#include "millrace/client/producer.h"

namespace millrace::faulttest {

struct WorkloadOptions {
  std::string bootstrap;          // "host:port,..."
  bool rotate_bootstrap = false;  // producer k lists the addresses starting from the k-th (spreads clients)
  std::string topic;
  int32_t partitions = 3;
  int32_t producers = 3;
  int32_t records_per_second = 200;  // per producer
  int32_t max_outstanding = 2000;    // per producer: sending pauses while this many await their reports
  bool idempotent = true;
  int32_t request_timeout_ms = 3000;
  int32_t delivery_timeout_ms = 60000;
};

class Workload {
 public:
  // `epoch` is time zero for the entries' timestamps.
  Workload(WorkloadOptions options, std::chrono::steady_clock::time_point epoch);
  ~Workload();
  Workload(const Workload&) = delete;
  Workload& operator=(const Workload&) = delete;

  // Creates the producers and starts sending; throws if a producer cannot be created.
  void start();
  // Stops sending, then closes the producers (waiting up to `drain` for outstanding deliveries; what is
  // still undelivered fails).
  void stop(std::chrono::milliseconds drain);
  // After stop(): every record sent, in no particular order.
  std::vector<AckEntry> entries();
  // Milliseconds since the epoch when sending stopped.
  int64_t stopped_ms() const { return stopped_ms_; }
  // Sends refused at once by Producer::send (no callback, nothing in the log expected).
  int64_t refused_sends() const { return refused_.load(); }

 private:
  void run_producer(int32_t index);
  int64_t now_ms() const;

  WorkloadOptions options_;
  std::chrono::steady_clock::time_point epoch_;
  std::vector<std::unique_ptr<client::Producer>> producers_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> refused_{0};
  int64_t stopped_ms_ = 0;

  std::mutex mutex_;
  std::vector<std::vector<AckEntry>> entries_;  // per producer, by send order
  std::vector<int64_t> outstanding_;            // per producer
};

}  // namespace millrace::faulttest
