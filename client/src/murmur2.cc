#include "millrace/client/murmur2.h"

namespace millrace::client {
namespace {

constexpr uint32_t kSeed = 0x9747b28c;
constexpr uint32_t kMultiplier = 0x5bd1e995;
constexpr int kShift = 24;

uint32_t byte_at(std::string_view bytes, size_t i) {
  return static_cast<unsigned char>(bytes[i]);
}

}  // namespace

// A line-by-line port of Utils.murmur2 with Java's wrapping int arithmetic done in uint32_t.
int32_t murmur2(std::string_view bytes) noexcept {
  const size_t length = bytes.size();
  uint32_t h = kSeed ^ static_cast<uint32_t>(length);
  const size_t words = length / 4;
  for (size_t i = 0; i < words; ++i) {
    const size_t i4 = i * 4;
    uint32_t k = byte_at(bytes, i4) | (byte_at(bytes, i4 + 1) << 8) | (byte_at(bytes, i4 + 2) << 16) |
                 (byte_at(bytes, i4 + 3) << 24);
    k *= kMultiplier;
    k ^= k >> kShift;
    k *= kMultiplier;
    h *= kMultiplier;
    h ^= k;
  }
  const size_t tail = length & ~size_t{3};
  switch (length % 4) {
    case 3:
      h ^= byte_at(bytes, tail + 2) << 16;
      [[fallthrough]];
    case 2:
      h ^= byte_at(bytes, tail + 1) << 8;
      [[fallthrough]];
    case 1:
      h ^= byte_at(bytes, tail);
      h *= kMultiplier;
  }
  h ^= h >> 13;
  h *= kMultiplier;
  h ^= h >> 15;
  return static_cast<int32_t>(h);
}

}  // namespace millrace::client
