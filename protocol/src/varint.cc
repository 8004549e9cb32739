#include "millrace/protocol/varint.h"

namespace millrace::protocol {
namespace {

// The checked decode: looks at the end of `in` before every byte. Used near the end of a buffer.
std::optional<uint64_t> read_unsigned_checked(ByteView in, size_t& pos, size_t max_bytes) {
  uint64_t result = 0;
  for (size_t i = 0; i < max_bytes; ++i) {
    if (pos >= in.size()) return std::nullopt;
    const auto byte = static_cast<uint8_t>(in[pos++]);
    result |= static_cast<uint64_t>(byte & 0x7F) << (7 * i);
    if ((byte & 0x80) == 0) return result;
  }
  return std::nullopt;
}

// The unchecked decode, unrolled: only when at least kVarlongMaxBytes bytes are left, so no byte it can read
// is past the end. Same value, same `pos` and the same rejections as the checked decode.
template <size_t kMaxBytes>
std::optional<uint64_t> read_unsigned_unchecked(const char* data, size_t& pos) {
  static_assert(kMaxBytes <= kVarlongMaxBytes);
  const auto* p = reinterpret_cast<const uint8_t*>(data + pos);
  uint64_t result = 0;
#pragma GCC unroll 10
  for (size_t i = 0; i < kMaxBytes; ++i) {
    const uint64_t byte = p[i];
    result |= (byte & 0x7F) << (7 * i);
    if (byte < 0x80) {
      pos += i + 1;
      return result;
    }
  }
  pos += kMaxBytes;
  return std::nullopt;  // over-long
}

template <size_t kMaxBytes>
std::optional<uint64_t> read_unsigned(ByteView in, size_t& pos) {
  if (pos <= in.size() && in.size() - pos >= kVarlongMaxBytes) [[likely]]
    return read_unsigned_unchecked<kMaxBytes>(in.data(), pos);
  return read_unsigned_checked(in, pos, kMaxBytes);
}

}  // namespace

void append_varint(Buffer& out, int32_t value) {
  append_varlong(out, value);  // a varint's value, widened, encodes the same
}
void append_varlong(Buffer& out, int64_t value) {
  char bytes[kVarlongMaxBytes];
  out.insert(out.end(), bytes, write_varlong(bytes, value));
}

std::optional<int32_t> varint_detail::read_varint_multibyte(ByteView in, size_t& pos) noexcept {
  auto raw = read_unsigned<kVarintMaxBytes>(in, pos);
  if (!raw || *raw > 0xFFFFFFFFull) return std::nullopt;
  return static_cast<int32_t>(unzigzag(*raw));
}

std::optional<int64_t> varint_detail::read_varlong_multibyte(ByteView in, size_t& pos) noexcept {
  auto raw = read_unsigned<kVarlongMaxBytes>(in, pos);
  if (!raw) return std::nullopt;
  return unzigzag(*raw);
}

}  // namespace millrace::protocol
