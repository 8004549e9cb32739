#pragma once
// Direction: which way bytes flow through the proxy. "up" is client -> server (requests), "down" is
// server -> client (responses). DirectionSet names one or both, as the control commands do.
#include <array>
#include <cstddef>
#include <string_view>

namespace millrace::faultproxy {

enum class Direction { up = 0, down = 1 };

constexpr std::array<Direction, 2> kDirections = {Direction::up, Direction::down};

constexpr size_t direction_index(Direction direction) {
  return static_cast<size_t>(direction);
}

constexpr std::string_view to_string(Direction direction) {
  return direction == Direction::up ? "up" : "down";
}

struct DirectionSet {
  bool up = false;
  bool down = false;

  static constexpr DirectionSet both() { return {true, true}; }
  static constexpr DirectionSet only(Direction direction) {
    return {direction == Direction::up, direction == Direction::down};
  }
  constexpr bool contains(Direction direction) const { return direction == Direction::up ? up : down; }
  friend constexpr bool operator==(DirectionSet, DirectionSet) = default;
};

}  // namespace millrace::faultproxy
