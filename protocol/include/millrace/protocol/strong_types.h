#pragma once
// Strong types for the integers that must never be mixed up: offsets, node ids, partition ids, terms.
#include <compare>
#include <cstdint>
#include <functional>
#include <ostream>

namespace millrace {

template <class Tag, class Rep>
struct StrongValue {
  using rep_type = Rep;
  Rep value{};

  constexpr StrongValue() = default;
  constexpr explicit StrongValue(Rep v) : value(v) {}
  constexpr auto operator<=>(const StrongValue&) const = default;
  friend std::ostream& operator<<(std::ostream& os, StrongValue v) { return os << v.value; }
};

// A position in a partition's log (Kafka offset). Also the Raft log index once replication lands.
using Offset = StrongValue<struct OffsetTag, int64_t>;
using NodeId = StrongValue<struct NodeIdTag, int32_t>;
using PartitionId = StrongValue<struct PartitionIdTag, int32_t>;

constexpr Offset next(Offset o) {
  return Offset{o.value + 1};
}

}  // namespace millrace

template <class Tag, class Rep>
struct std::hash<millrace::StrongValue<Tag, Rep>> {
  size_t operator()(millrace::StrongValue<Tag, Rep> v) const noexcept { return std::hash<Rep>{}(v.value); }
};
