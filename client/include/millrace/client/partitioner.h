#pragma once
// Partition choice, as Kafka's default partitioner makes it:
//  - a record with an explicit partition goes there;
//  - a record with a key goes to (murmur2(key) & 0x7fffffff) % partition_count;
//  - a record without a key follows NullKeyPartitioning.
#include <cstdint>
#include <string_view>

#include "millrace/protocol/strong_types.h"

namespace millrace::client {

enum class NullKeyPartitioning {
  sticky,       // stay on one partition until its batch is closed (sent or full), then pick another at random
  round_robin,  // each record to the next partition in turn
};

// The partition for `key` among `partition_count` (> 0) partitions. Pure; thread-safe.
PartitionId partition_for_key(std::string_view key, int32_t partition_count) noexcept;

}  // namespace millrace::client
