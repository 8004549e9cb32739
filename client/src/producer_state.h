#pragma once
// ProducerState: what the sending threads and the I/O thread share inside one Producer: the accumulator,
// the null-key partitioner and the idempotence sequences (all under mutex()), the buffer memory, and the
// count of records not yet completed (for flush and close).
//
// Contract: thread-safe as described per member. complete() and fail() run the delivery callbacks: call
// them without holding mutex().
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

#include "adaptive_mutex.h"
#include "memory_budget.h"
#include "millrace/client/producer_config.h"
#include "null_key_partitioner.h"
#include "producer_sequences.h"
#include "record_accumulator.h"

namespace millrace::client::internal {

class ProducerState {
 public:
  explicit ProducerState(const ProducerConfig& config);

  AdaptiveMutex& mutex() { return mutex_; }
  RecordAccumulator& accumulator() { return accumulator_; }            // under mutex()
  NullKeyPartitioner& null_key_partitioner() { return partitioner_; }  // under mutex()
  ProducerSequences& sequences() { return sequences_; }                // under mutex()
  MemoryBudget& memory() { return memory_; }

  // Counts one accepted record; call under mutex(), before the record can complete.
  void record_accepted();
  // Delivers (or fails) every record of `batch`, releases its memory and its count.
  void complete(const ProducerBatch& batch, Offset base_offset);
  void fail(const ProducerBatch& batch, const Error& error);
  // Waits until every accepted record has completed; false if `deadline` passed first.
  bool wait_until_idle(std::chrono::steady_clock::time_point deadline);

  // closing: send() refuses new records. aborting: retries stop, everything still pending fails.
  bool closing() const { return closing_.load(); }
  void set_closing() { closing_.store(true); }
  bool aborting() const { return aborting_.load(); }
  void set_aborting() { aborting_.store(true); }

 private:
  void finished(const ProducerBatch& batch);

  AdaptiveMutex mutex_;
  RecordAccumulator accumulator_;
  NullKeyPartitioner partitioner_;
  ProducerSequences sequences_;
  MemoryBudget memory_;
  std::mutex idle_mutex_;
  std::condition_variable idle_;
  std::atomic<size_t> incomplete_records_{0};  // rises without idle_mutex_, falls under it
  std::atomic<bool> closing_{false};
  std::atomic<bool> aborting_{false};
};

}  // namespace millrace::client::internal
