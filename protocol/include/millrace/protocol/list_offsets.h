#pragma once
// Special timestamps of a ListOffsets request (Kafka's values).
#include <cstdint>

namespace millrace::protocol {

constexpr int64_t kListOffsetsLatest = -1;
constexpr int64_t kListOffsetsEarliest = -2;
constexpr int32_t kAcksAll = -1;

}  // namespace millrace::protocol
