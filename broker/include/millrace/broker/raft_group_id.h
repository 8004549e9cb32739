#pragma once
// RaftGroupId: which Raft group a message belongs to — one partition's, or the controller's (empty topic).
#include <compare>
#include <cstdint>
#include <string>

namespace millrace::broker {

struct RaftGroupId {
  std::string topic;  // empty: the controller group
  int32_t partition = 0;

  static RaftGroupId controller() { return {}; }
  bool is_controller() const { return topic.empty(); }
  std::string to_string() const {
    return is_controller() ? std::string("controller") : topic + "-" + std::to_string(partition);
  }
  auto operator<=>(const RaftGroupId&) const = default;
};

}  // namespace millrace::broker
