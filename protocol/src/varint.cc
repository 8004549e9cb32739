#include "millrace/protocol/varint.h"

namespace millrace::protocol {
namespace {

uint64_t zigzag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t unzigzag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

void append_unsigned(Buffer& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

std::optional<uint64_t> read_unsigned(ByteView in, size_t& pos, size_t max_bytes) {
  uint64_t result = 0;
  for (size_t i = 0; i < max_bytes; ++i) {
    if (pos >= in.size()) return std::nullopt;
    const auto byte = static_cast<uint8_t>(in[pos++]);
    result |= static_cast<uint64_t>(byte & 0x7F) << (7 * i);
    if ((byte & 0x80) == 0) return result;
  }
  return std::nullopt;
}

}  // namespace

void append_varint(Buffer& out, int32_t value) {
  append_unsigned(out, zigzag(value));
}
void append_varlong(Buffer& out, int64_t value) {
  append_unsigned(out, zigzag(value));
}

size_t varlong_size(int64_t value) noexcept {
  uint64_t v = zigzag(value);
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

std::optional<int32_t> read_varint(ByteView in, size_t& pos) noexcept {
  auto raw = read_unsigned(in, pos, kVarintMaxBytes);
  if (!raw || *raw > 0xFFFFFFFFull) return std::nullopt;
  return static_cast<int32_t>(unzigzag(*raw));
}

std::optional<int64_t> read_varlong(ByteView in, size_t& pos) noexcept {
  auto raw = read_unsigned(in, pos, kVarlongMaxBytes);
  if (!raw) return std::nullopt;
  return unzigzag(*raw);
}

}  // namespace millrace::protocol
