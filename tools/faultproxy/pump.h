#pragma once
// Pump: moves bytes one way (`source` socket to `sink` socket) for one proxied connection and applies the
// faults of its direction:
//   - when bytes are read: frame drops (FrameTracker), then blackhole (bytes discarded, counted as dropped);
//   - when they are due to be written: delay (each chunk waits until read time + the delay then in force,
//     order kept), and blackhole again (a chunk that comes due while the direction is blackholed is lost).
// Reader and writer are two coroutines sharing a ChunkQueue bounded by kPumpQueueBytesMax: when it is full
// the reader stops reading, so a delayed or slow direction pushes back on the sender through TCP.
//
// Half-close: when the source reaches end of stream, the writer drains the queue and then shuts down the
// sink's sending side, so the peer sees the same end of stream. Errors end both loops with `false`.
//
// Thread-safety: event-loop thread only. Ownership: the sockets and the FaultState are borrowed; the owning
// ProxyConnection keeps them (and the pump) alive while the loops run.
#include <cstdint>

#include "asio_types.h"
#include "chunk_queue.h"
#include "direction.h"
#include "fault_state.h"
#include "frame_tracker.h"

namespace millrace::faultproxy {

class Pump {
 public:
  Pump(Direction direction, tcp::socket& source, tcp::socket& sink, FaultState& faults,
       uint32_t max_frame_bytes);

  // Reads until end of stream (true) or an error or stop() (false).
  awaitable<bool> read_loop();
  // Writes until the source ended and the queue is drained, then half-closes the sink (true); false on error
  // or stop().
  awaitable<bool> write_loop();
  // Makes both loops return at their next wait. The owner closes the sockets to end pending I/O.
  void stop();

 private:
  void accept_read(size_t bytes);
  awaitable<void> wait_for_wake(asio::steady_timer& timer);

  Direction direction_;
  tcp::socket& source_;
  tcp::socket& sink_;
  FaultState& faults_;
  FrameTracker tracker_;
  ChunkQueue queue_;
  Buffer read_buffer_;
  asio::steady_timer data_ready_;   // cancelled to wake the writer
  asio::steady_timer space_ready_;  // cancelled to wake the reader
  asio::steady_timer due_timer_;    // the writer waits here for a delayed chunk
  bool source_ended_ = false;
  bool stopped_ = false;
};

}  // namespace millrace::faultproxy
