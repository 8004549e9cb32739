#pragma once
// Message values for `millrace bench`: fixed-size, incompressible-looking bytes, optionally stamped with the
// message's intended send time so that a consumer in the same process can measure end-to-end latency.
//
// Stamp layout (first kStampBytes bytes of the value): the intended send time in nanoseconds on the
// process's steady clock, 8 bytes little-endian, then the message index, 8 bytes little-endian.
// Pure; thread-safe.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace millrace::cli {

constexpr size_t kStampBytes = 16;

struct PayloadStamp {
  int64_t intended_send_ns = 0;
  uint64_t index = 0;
};

// `size_bytes` pseudo-random bytes, the same for the same seed.
std::string make_payload(size_t size_bytes, uint64_t seed);

// Overwrites the first kStampBytes bytes of `value` (which must be at least that long).
void write_stamp(std::string& value, const PayloadStamp& stamp);
// The same into a value that starts at `value` and is at least kStampBytes long.
void write_stamp(char* value, const PayloadStamp& stamp);
// The stamp of a value written by write_stamp; nullopt if the value is too short.
std::optional<PayloadStamp> read_stamp(std::string_view value);

}  // namespace millrace::cli
