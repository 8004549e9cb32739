#include "fault_state.h"

#include <fmt/format.h>

namespace millrace::faultproxy {

void FaultState::set_policy(DirectionSet directions, DirectionPolicy policy) {
  std::lock_guard lock(mutex_);
  for (Direction direction : kDirections) {
    if (directions.contains(direction)) at(direction).policy = policy;
  }
}

void FaultState::set_pass(DirectionSet directions) {
  set_policy(directions, {FaultMode::pass, {}});
}

void FaultState::set_delay(DirectionSet directions, std::chrono::milliseconds delay) {
  set_policy(directions, {FaultMode::delay, delay});
}

void FaultState::set_blackhole(DirectionSet directions) {
  set_policy(directions, {FaultMode::blackhole, {}});
}

void FaultState::set_frames_to_drop(DirectionSet directions, uint64_t count) {
  std::lock_guard lock(mutex_);
  for (Direction direction : kDirections) {
    if (directions.contains(direction)) at(direction).frames_to_drop = count;
  }
}

void FaultState::set_refusing(bool refusing) {
  std::lock_guard lock(mutex_);
  snapshot_.refusing = refusing;
}

void FaultState::heal() {
  std::lock_guard lock(mutex_);
  for (Direction direction : kDirections) {
    at(direction).policy = {};
    at(direction).frames_to_drop = 0;
  }
  snapshot_.refusing = false;
}

DirectionPolicy FaultState::policy(Direction direction) const {
  std::lock_guard lock(mutex_);
  return snapshot_.of(direction).policy;
}

bool FaultState::refusing() const {
  std::lock_guard lock(mutex_);
  return snapshot_.refusing;
}

bool FaultState::take_frame_drop(Direction direction) {
  std::lock_guard lock(mutex_);
  DirectionCounters& counters = at(direction);
  if (counters.frames_to_drop == 0 || counters.policy.mode == FaultMode::blackhole) return false;
  --counters.frames_to_drop;
  return true;
}

void FaultState::count_received(Direction direction, uint64_t bytes) {
  std::lock_guard lock(mutex_);
  at(direction).received_bytes += bytes;
}

void FaultState::count_forwarded(Direction direction, uint64_t bytes) {
  std::lock_guard lock(mutex_);
  at(direction).forwarded_bytes += bytes;
}

void FaultState::count_dropped(Direction direction, uint64_t bytes, uint64_t frames) {
  std::lock_guard lock(mutex_);
  at(direction).dropped_bytes += bytes;
  at(direction).dropped_frames += frames;
}

void FaultState::count_accepted() {
  std::lock_guard lock(mutex_);
  ++snapshot_.accepted_connections;
  ++snapshot_.open_connections;
}

void FaultState::count_closed() {
  std::lock_guard lock(mutex_);
  --snapshot_.open_connections;
}

void FaultState::count_refused() {
  std::lock_guard lock(mutex_);
  ++snapshot_.refused_connections;
}

void FaultState::count_failed_connect() {
  std::lock_guard lock(mutex_);
  ++snapshot_.failed_connects;
}

FaultSnapshot FaultState::snapshot() const {
  std::lock_guard lock(mutex_);
  return snapshot_;
}

namespace {

std::string describe_policy(const DirectionPolicy& policy) {
  switch (policy.mode) {
    case FaultMode::pass:
      return "pass";
    case FaultMode::delay:
      return fmt::format("delay:{}", policy.delay.count());
    case FaultMode::blackhole:
      return "blackhole";
  }
  return "unknown";
}

}  // namespace

std::string describe_faults(const FaultSnapshot& snapshot) {
  const auto& up = snapshot.of(Direction::up);
  const auto& down = snapshot.of(Direction::down);
  return fmt::format("up={} down={} drop_up={} drop_down={} reset={}", describe_policy(up.policy),
                     describe_policy(down.policy), up.frames_to_drop, down.frames_to_drop,
                     snapshot.refusing ? "on" : "off");
}

std::string describe_stats(const FaultSnapshot& snapshot) {
  std::string out = describe_faults(snapshot);
  out += fmt::format(" open={} accepted={} refused={} failed_connects={}", snapshot.open_connections,
                     snapshot.accepted_connections, snapshot.refused_connections, snapshot.failed_connects);
  for (Direction direction : kDirections) {
    const auto& counters = snapshot.of(direction);
    const auto name = to_string(direction);
    out += fmt::format(" {}_received_bytes={} {}_forwarded_bytes={} {}_dropped_bytes={} {}_dropped_frames={}",
                       name, counters.received_bytes, name, counters.forwarded_bytes, name,
                       counters.dropped_bytes, name, counters.dropped_frames);
  }
  return out;
}

}  // namespace millrace::faultproxy
