#pragma once
// FaultProxy: a userspace TCP fault proxy for tests, embeddable in-process (the millrace-faultproxy program
// is a thin main() around it). It listens on a loopback port and forwards every accepted connection to a
// target HOST:PORT, applying faults that can be switched at run time, per direction (up = client -> server,
// down = server -> client):
//
//   pass          forward unchanged.
//   delay MS      each chunk is written MS ms after it was read; order is kept; bounded buffering with
//                 back-pressure (proxy_limits.h).
//   blackhole     bytes are read and discarded -- LOST, as in a network partition, never held and replayed.
//                 Connections stay open; after heal, bytes sent from then on flow again, so the receiver sees
//                 the stream with a gap (a framed peer will usually see a framing error and close).
//   drop-frames K drop the next K whole native-protocol frames in that direction (frames are found by their
//                 4-byte big-endian length prefix), pass everything else intact. Independent of the mode.
//   reset         close every connection with RST and refuse (accept, then RST) new ones until heal().
//   heal          all of the above back to normal.
//
// Thread-safety: every public method may be called from any thread, concurrently. The proxy runs its own
// event-loop thread between start() and stop(). Ownership: the proxy owns its sockets and thread; the
// destructor stops it.
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "direction.h"
#include "fault_state.h"
#include "millrace/protocol/frame_format.h"
#include "millrace/protocol/result.h"

namespace millrace::faultproxy {

struct FaultProxyOptions {
  std::string listen_host = "127.0.0.1";  // must be a loopback address
  uint16_t listen_port = 0;               // 0: pick a free port (see listen_port())
  std::string target_host = "127.0.0.1";
  uint16_t target_port = 0;
  bool control_enabled = false;            // also serve the line-based control protocol
  std::string control_host = "127.0.0.1";  // must be a loopback address
  uint16_t control_port = 0;               // 0: pick a free port (see control_port())
  uint32_t max_frame_bytes = protocol::frame_format::kDefaultMaxFrameBytes;  // for frame tracking
};

class FaultProxy {
 public:
  explicit FaultProxy(FaultProxyOptions options);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  // Resolves the target, binds the ports and starts the event-loop thread. Call once.
  Status start();
  // Resets all connections, closes the ports and joins the thread. Idempotent.
  void stop();

  uint16_t listen_port() const { return listen_port_; }    // after start()
  uint16_t control_port() const { return control_port_; }  // after start(), if enabled
  // "faultproxy listen=127.0.0.1:P control=127.0.0.1:C target=HOST:PORT" (control=- if disabled).
  std::string startup_line() const;

  void pass(DirectionSet directions = DirectionSet::both());
  void delay(DirectionSet directions, std::chrono::milliseconds delay);
  void blackhole(DirectionSet directions);
  void drop_frames(DirectionSet directions, uint64_t count);
  void reset();
  void heal();
  FaultSnapshot stats() const;

  // Runs one control-protocol line (control_command.h) and returns the answer, "ok ..." or "error ...".
  std::string execute(std::string_view line);

 private:
  struct Loop;  // the event loop and everything that lives on it

  FaultProxyOptions options_;
  FaultState faults_;
  std::unique_ptr<Loop> loop_;
  std::thread thread_;
  uint16_t listen_port_ = 0;
  uint16_t control_port_ = 0;
  bool started_ = false;
};

}  // namespace millrace::faultproxy
