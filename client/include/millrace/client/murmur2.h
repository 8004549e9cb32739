#pragma once
// Kafka's murmur2 hash (org.apache.kafka.common.utils.Utils.murmur2), bit for bit: seed 0x9747b28c, the same
// tail handling and final mix. Used by the default partitioner, so a key lands on the same partition number
// as with any Kafka client's default partitioner. Pure; thread-safe.
#include <cstdint>
#include <string_view>

namespace millrace::client {

// The hash as Kafka's Java code returns it (a signed 32-bit int).
int32_t murmur2(std::string_view bytes) noexcept;

}  // namespace millrace::client
