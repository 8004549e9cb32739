#include "pump.h"

#include <boost/asio/write.hpp>

#include "proxy_limits.h"

namespace millrace::faultproxy {

Pump::Pump(Direction direction, tcp::socket& source, tcp::socket& sink, FaultState& faults,
           uint32_t max_frame_bytes)
    : direction_(direction),
      source_(source),
      sink_(sink),
      faults_(faults),
      tracker_(max_frame_bytes),
      queue_(kPumpQueueBytesMax),
      read_buffer_(kReadChunkBytes),
      data_ready_(source.get_executor()),
      space_ready_(source.get_executor()),
      due_timer_(source.get_executor()) {}

void Pump::stop() {
  stopped_ = true;
  data_ready_.cancel();
  space_ready_.cancel();
  due_timer_.cancel();
}

awaitable<void> Pump::wait_for_wake(asio::steady_timer& timer) {
  // A timer that never expires on its own, used as a condition variable: cancel() wakes the waiter. Checking
  // the condition and starting the wait happen without a suspension in between, so no wake-up is missed.
  timer.expires_at(asio::steady_timer::time_point::max());
  co_await timer.async_wait(kNoThrow);
}

awaitable<bool> Pump::read_loop() {
  for (;;) {
    while (queue_.full() && !stopped_) co_await wait_for_wake(space_ready_);
    if (stopped_) co_return false;
    auto [ec, bytes] = co_await source_.async_read_some(asio::buffer(read_buffer_), kNoThrow);
    if (stopped_) co_return false;
    if (ec == asio::error::eof) {
      source_ended_ = true;
      data_ready_.cancel();
      co_return true;
    }
    if (ec) co_return false;
    accept_read(bytes);
    faults_.count_received(direction_, bytes);  // after the faults were applied: tests wait on this
  }
}

void Pump::accept_read(size_t bytes) {
  Buffer kept;
  kept.reserve(bytes);
  const auto outcome = tracker_.filter(ByteView(read_buffer_.data(), bytes), kept,
                                       [this] { return faults_.take_frame_drop(direction_); });
  const DirectionPolicy policy = faults_.policy(direction_);
  uint64_t dropped_bytes = outcome.dropped_bytes;
  if (policy.mode == FaultMode::blackhole) {
    dropped_bytes += kept.size();
    kept.clear();
  }
  if (dropped_bytes > 0 || outcome.dropped_frames > 0) {
    faults_.count_dropped(direction_, dropped_bytes, outcome.dropped_frames);
  }
  if (kept.empty()) return;
  auto due = ChunkQueue::Clock::now();
  if (policy.mode == FaultMode::delay) due += policy.delay;
  queue_.push(std::move(kept), due);
  data_ready_.cancel();
}

awaitable<bool> Pump::write_loop() {
  for (;;) {
    while (queue_.empty() && !source_ended_ && !stopped_) co_await wait_for_wake(data_ready_);
    if (stopped_) co_return false;
    if (queue_.empty()) {  // the source ended and everything is written: pass the end of stream on
      boost::system::error_code ec;
      sink_.shutdown(tcp::socket::shutdown_send, ec);
      co_return !ec;
    }
    ChunkQueue::Chunk& chunk = queue_.front();
    if (chunk.due > ChunkQueue::Clock::now()) {
      due_timer_.expires_at(chunk.due);
      co_await due_timer_.async_wait(kNoThrow);
      if (stopped_) co_return false;
    }
    if (faults_.policy(direction_).mode == FaultMode::blackhole) {
      faults_.count_dropped(direction_, chunk.bytes.size(), 0);
    } else {
      auto [ec, written] = co_await asio::async_write(sink_, asio::buffer(chunk.bytes), kNoThrow);
      if (stopped_ || ec) co_return false;
      faults_.count_forwarded(direction_, written);
    }
    queue_.pop();
    space_ready_.cancel();
  }
}

}  // namespace millrace::faultproxy
