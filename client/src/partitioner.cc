#include "millrace/client/partitioner.h"

#include <cassert>

#include "millrace/client/murmur2.h"

namespace millrace::client {

PartitionId partition_for_key(std::string_view key, int32_t partition_count) noexcept {
  assert(partition_count > 0);
  // Kafka's Utils.toPositive: clear the sign bit rather than take abs(), so INT_MIN works too.
  const uint32_t positive = static_cast<uint32_t>(murmur2(key)) & 0x7fffffffu;
  return PartitionId{static_cast<int32_t>(positive % static_cast<uint32_t>(partition_count))};
}

}  // namespace millrace::client
