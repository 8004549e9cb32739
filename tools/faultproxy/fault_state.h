#pragma once
// FaultState: the faults currently in force and the proxy's counters, shared by the event-loop thread (which
// consults it for every chunk it reads or writes) and by callers that change faults (control port, tests).
//
// Per direction there is one mode -- pass, delay by N ms, or blackhole -- plus an independent count of whole
// frames still to drop. Globally there is the reset flag: while it is set, new connections are refused.
// heal() returns to pass in both directions, cancels pending frame drops and clears the reset flag.
//
// Thread-safety: every method is safe to call from any thread (one mutex). Nothing here does I/O.
#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "direction.h"

namespace millrace::faultproxy {

enum class FaultMode { pass, delay, blackhole };

struct DirectionPolicy {
  FaultMode mode = FaultMode::pass;
  std::chrono::milliseconds delay{0};  // only in delay mode
};

struct DirectionCounters {
  DirectionPolicy policy;
  uint64_t frames_to_drop = 0;   // pending drop-frames count
  uint64_t received_bytes = 0;   // read from the sending peer
  uint64_t forwarded_bytes = 0;  // written to the receiving peer
  uint64_t dropped_bytes = 0;    // lost to blackhole or frame drops
  uint64_t dropped_frames = 0;   // whole frames dropped by drop-frames
};

struct FaultSnapshot {
  std::array<DirectionCounters, 2> directions;  // indexed by direction_index()
  bool refusing = false;                        // reset in force
  uint64_t open_connections = 0;
  uint64_t accepted_connections = 0;
  uint64_t refused_connections = 0;  // closed at once: reset in force or kConnectionsMax reached
  uint64_t failed_connects = 0;      // the target refused or did not answer

  const DirectionCounters& of(Direction direction) const { return directions[direction_index(direction)]; }
};

class FaultState {
 public:
  void set_pass(DirectionSet directions);
  void set_delay(DirectionSet directions, std::chrono::milliseconds delay);
  void set_blackhole(DirectionSet directions);
  // Drops the next `count` whole frames that start in each named direction (replaces any pending count).
  void set_frames_to_drop(DirectionSet directions, uint64_t count);
  void set_refusing(bool refusing);
  void heal();

  DirectionPolicy policy(Direction direction) const;
  bool refusing() const;
  // Called at the first byte of every frame: consumes one pending frame drop and returns true, or returns
  // false if none is pending or the direction is blackholed (the frame is lost anyway; the count is kept).
  bool take_frame_drop(Direction direction);

  void count_received(Direction direction, uint64_t bytes);
  void count_forwarded(Direction direction, uint64_t bytes);
  void count_dropped(Direction direction, uint64_t bytes, uint64_t frames);
  void count_accepted();
  void count_closed();
  void count_refused();
  void count_failed_connect();

  FaultSnapshot snapshot() const;

 private:
  DirectionCounters& at(Direction direction) { return snapshot_.directions[direction_index(direction)]; }
  void set_policy(DirectionSet directions, DirectionPolicy policy);

  mutable std::mutex mutex_;
  FaultSnapshot snapshot_;
};

// "up=pass down=delay:100 drop_up=0 drop_down=2 reset=off": the faults in force.
std::string describe_faults(const FaultSnapshot& snapshot);
// describe_faults() followed by the connection and byte counters, all as key=value words.
std::string describe_stats(const FaultSnapshot& snapshot);

}  // namespace millrace::faultproxy
