#include "producer_state.h"

#include <algorithm>
#include <cassert>
#include <random>

#include "deadline.h"

namespace millrace::client::internal {

namespace {

AccumulatorConfig accumulator_config(const ProducerConfig& config) {
  AccumulatorConfig out;
  out.batch_bytes = config.batch_bytes;
  out.linger_ms = config.linger_ms;
  out.delivery_timeout_ms = config.delivery_timeout_ms;
  out.max_in_flight_per_partition =
      config.enable_idempotence ? std::min(kMaxInFlightIdempotent, config.max_in_flight_per_connection) : 1;
  out.several_batches_per_request = !config.enable_idempotence;
  out.backlog_batch_bytes = std::min(config.backlog_batch_bytes, config.max_request_bytes);
  return out;
}

}  // namespace

ProducerState::ProducerState(const ProducerConfig& config)
    // Idle batch buffers are bounded by the producer's buffer memory.
    : accumulator_(accumulator_config(config),
                   std::make_shared<BatchBufferPool>(config.batch_bytes, config.buffer_memory_bytes,
                                                     config.backlog_batch_bytes)),
      partitioner_(config.null_key_partitioning, std::random_device{}()),
      memory_(config.buffer_memory_bytes) {}

void ProducerState::record_accepted() {
  // No lock: a rise never makes a waiter's condition true. The fall (finished) takes idle_mutex_ so that a
  // waiter cannot miss its notification.
  incomplete_records_.fetch_add(1, std::memory_order_relaxed);
}

void ProducerState::complete(const ProducerBatch& batch, Offset base_offset) {
  batch.complete(base_offset);
  finished(batch);
}

void ProducerState::fail(const ProducerBatch& batch, const Error& error) {
  batch.fail(error);
  finished(batch);
}

void ProducerState::finished(const ProducerBatch& batch) {
  memory_.release(batch.reserved_bytes());
  {
    std::lock_guard lock(idle_mutex_);
    assert(incomplete_records_.load() >= batch.record_count());
    incomplete_records_.fetch_sub(batch.record_count());
  }
  idle_.notify_all();
}

bool ProducerState::wait_until_idle(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(idle_mutex_);
  return internal::wait_until(idle_, lock, deadline, [&] { return incomplete_records_.load() == 0; });
}

}  // namespace millrace::client::internal
