#pragma once
// Big-endian (network order) loads and stores. All multi-byte integers on disk and on the wire are
// big-endian, as in Kafka's RecordBatch.
#include <bit>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace millrace::protocol {

namespace detail {
template <class U>
inline U byteswap(U v) {
  if constexpr (sizeof(U) == 2) return __builtin_bswap16(v);
  if constexpr (sizeof(U) == 4) return __builtin_bswap32(v);
  if constexpr (sizeof(U) == 8) return __builtin_bswap64(v);
  return v;
}
}  // namespace detail

template <class T>
requires std::is_integral_v<T>
inline T load_be(const void* src) {
  std::make_unsigned_t<T> raw;
  std::memcpy(&raw, src, sizeof(raw));
  if constexpr (std::endian::native == std::endian::little && sizeof(T) > 1) raw = detail::byteswap(raw);
  return static_cast<T>(raw);
}

template <class T>
requires std::is_integral_v<T>
inline void store_be(void* dst, T value) {
  auto raw = static_cast<std::make_unsigned_t<T>>(value);
  if constexpr (std::endian::native == std::endian::little && sizeof(T) > 1) raw = detail::byteswap(raw);
  std::memcpy(dst, &raw, sizeof(raw));
}

}  // namespace millrace::protocol
