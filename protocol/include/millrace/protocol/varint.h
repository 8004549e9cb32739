#pragma once
// Zig-zag variable-length integers, as in Kafka records (and protobuf's sint32/sint64).
#include <cstddef>
#include <cstdint>
#include <optional>

#include "millrace/protocol/bytes.h"

namespace millrace::protocol {

constexpr size_t kVarintMaxBytes = 5;
constexpr size_t kVarlongMaxBytes = 10;

// Appends the zig-zag encoding of `value` to `out`.
void append_varint(Buffer& out, int32_t value);
void append_varlong(Buffer& out, int64_t value);

inline uint64_t zigzag(int64_t value) noexcept {
  return (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
}

// Bytes of the zig-zag encoding of `value` (a varint's value, widened, encodes the same).
inline size_t varlong_size(int64_t value) noexcept {
  uint64_t v = zigzag(value);
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// Writes the zig-zag encoding of `value` at `out`, which has room for varlong_size(value) bytes; returns the
// end of what it wrote. For a caller that sized its buffer once for a whole record (RecordBatchBuilder):
// no capacity check per byte, as appending has.
inline char* write_varlong(char* out, int64_t value) noexcept {
  uint64_t v = zigzag(value);
  while (v >= 0x80) {
    *out++ = static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  *out++ = static_cast<char>(v);
  return out;
}

// Reads a zig-zag varint from `in` starting at `pos`; advances `pos`. nullopt if truncated or over-long (a
// varint whose value needs more than 32 bits is over-long too). One- and two-byte values (most lengths and
// deltas in a record) are decoded inline; longer ones in varint.cc, unrolled without per-byte bounds checks
// when at least kVarlongMaxBytes bytes are left, byte by byte with checks near the end of `in`. Every path
// gives the same value, the same `pos` and the same rejections.
namespace varint_detail {

std::optional<int32_t> read_varint_multibyte(ByteView in, size_t& pos) noexcept;
std::optional<int64_t> read_varlong_multibyte(ByteView in, size_t& pos) noexcept;

// The unsigned value of a one- or two-byte varint at `pos` if there is one (and two bytes to look at);
// -1 otherwise.
inline int32_t read_short(ByteView in, size_t& pos) noexcept {
  if (pos >= in.size() || in.size() - pos < 2) return -1;
  const auto b0 = static_cast<uint8_t>(in[pos]);
  if (b0 < 0x80) {
    pos += 1;
    return b0;
  }
  const auto b1 = static_cast<uint8_t>(in[pos + 1]);
  if (b1 >= 0x80) return -1;
  pos += 2;
  return static_cast<int32_t>((b0 & 0x7Fu) | (uint32_t{b1} << 7));
}

inline int64_t unzigzag(uint64_t v) noexcept {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

}  // namespace varint_detail

inline std::optional<int32_t> read_varint(ByteView in, size_t& pos) noexcept {
  if (const int32_t raw = varint_detail::read_short(in, pos); raw >= 0) [[likely]]
    return static_cast<int32_t>(varint_detail::unzigzag(static_cast<uint64_t>(raw)));
  return varint_detail::read_varint_multibyte(in, pos);
}

inline std::optional<int64_t> read_varlong(ByteView in, size_t& pos) noexcept {
  if (const int32_t raw = varint_detail::read_short(in, pos); raw >= 0) [[likely]]
    return varint_detail::unzigzag(static_cast<uint64_t>(raw));
  return varint_detail::read_varlong_multibyte(in, pos);
}

}  // namespace millrace::protocol
