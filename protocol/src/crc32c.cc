#include "millrace/protocol/crc32c.h"

#include <algorithm>
#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <cpuid.h>
#include <nmmintrin.h>
#endif

namespace millrace::protocol {
namespace {

constexpr uint32_t kPolynomial = 0x82F63B78;  // reflected Castagnoli polynomial

constexpr std::array<uint32_t, 256> make_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t crc = i;
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? (crc >> 1) ^ kPolynomial : crc >> 1;
    table[i] = crc;
  }
  return table;
}

constexpr auto kTable = make_table();

uint32_t extend_portable(uint32_t crc, const unsigned char* p, size_t size) {
  for (size_t i = 0; i < size; ++i) crc = kTable[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
  return crc;
}

// a * b modulo the polynomial, both in the reflected representation (bit 31 is x^0).
constexpr uint32_t multiply_modulo(uint32_t a, uint32_t b) {
  uint32_t product = 0;
  for (uint32_t bit = 1u << 31; bit != 0; bit >>= 1) {
    if (a & bit) product ^= b;
    b = (b & 1) ? (b >> 1) ^ kPolynomial : b >> 1;  // b * x
  }
  return product;
}

// x^(2^k) modulo the polynomial for k = 0..63, so that x^n for any n is a product of at most 64 of them.
constexpr std::array<uint32_t, 64> make_powers_of_two() {
  std::array<uint32_t, 64> powers{};
  powers[0] = 1u << 30;  // x^1
  for (size_t k = 1; k < powers.size(); ++k) powers[k] = multiply_modulo(powers[k - 1], powers[k - 1]);
  return powers;
}

constexpr auto kPowersOfTwo = make_powers_of_two();

// x^(8 * bytes) modulo the polynomial: the product of the powers x^(2^k) for the bits of 8 * bytes.
constexpr uint32_t x_power_of_bytes(size_t bytes) {
  uint32_t power = 1u << 31;  // x^0
  uint64_t exponent = uint64_t{bytes} * 8;
  for (size_t k = 0; exponent != 0; ++k, exponent >>= 1) {
    if (exponent & 1) power = multiply_modulo(kPowersOfTwo[k], power);
  }
  return power;
}

#if defined(__x86_64__)
// The CRC register is linear over GF(2): the register after A then B (starting from s) equals the register
// after A (from s) advanced over |B| zero bytes, XOR the register after B alone (from 0). Advancing over n
// zero bytes is a multiplication by x^(8n) modulo the polynomial, so three independent crc32q chains over
// three adjacent blocks can run interleaved (crc32q has a latency of three cycles and a throughput of one)
// and be joined afterwards. For a fixed block length that multiplication is a table lookup per byte.

// Tables that advance a register over `Bytes` zero bytes, one 256-entry table per byte of the register.
template <size_t Bytes>
struct ZeroAdvance {
  std::array<std::array<uint32_t, 256>, 4> table{};
  constexpr ZeroAdvance() {
    const uint32_t power = x_power_of_bytes(Bytes);
    for (uint32_t k = 0; k < 4; ++k) {
      for (uint32_t b = 0; b < 256; ++b) table[k][b] = multiply_modulo(power, b << (8 * k));
    }
  }
  uint32_t operator()(uint32_t crc) const {
    return table[0][crc & 0xFF] ^ table[1][(crc >> 8) & 0xFF] ^ table[2][(crc >> 16) & 0xFF] ^
           table[3][crc >> 24];
  }
};

// Block lengths of the three interleaved chains (multiples of 8): long blocks for most of a batch, short
// ones for what is left.
constexpr size_t kLongBlockBytes = 1024;
constexpr size_t kShortBlockBytes = 128;
constexpr ZeroAdvance<kLongBlockBytes> kAdvanceLong;
constexpr ZeroAdvance<kShortBlockBytes> kAdvanceShort;

__attribute__((target("sse4.2"))) inline uint64_t load64(const unsigned char* p) {
  uint64_t word;
  std::memcpy(&word, p, sizeof(word));
  return word;
}

// Runs three chains over the blocks at p, p + Block, p + 2 * Block and joins them.
template <size_t Block, class Advance>
__attribute__((target("sse4.2"))) uint32_t extend_three_blocks(uint32_t crc, const unsigned char* p,
                                                               const Advance& advance) {
  uint64_t c0 = crc;
  uint64_t c1 = 0;
  uint64_t c2 = 0;
  for (size_t i = 0; i < Block; i += 8) {
    c0 = _mm_crc32_u64(c0, load64(p + i));
    c1 = _mm_crc32_u64(c1, load64(p + Block + i));
    c2 = _mm_crc32_u64(c2, load64(p + 2 * Block + i));
  }
  const uint32_t joined = advance(static_cast<uint32_t>(c0)) ^ static_cast<uint32_t>(c1);
  return advance(joined) ^ static_cast<uint32_t>(c2);
}

__attribute__((target("sse4.2"))) uint32_t extend_sse42(uint32_t crc, const unsigned char* p, size_t size) {
  while (size >= 3 * kLongBlockBytes) {
    crc = extend_three_blocks<kLongBlockBytes>(crc, p, kAdvanceLong);
    p += 3 * kLongBlockBytes;
    size -= 3 * kLongBlockBytes;
  }
  while (size >= 3 * kShortBlockBytes) {
    crc = extend_three_blocks<kShortBlockBytes>(crc, p, kAdvanceShort);
    p += 3 * kShortBlockBytes;
    size -= 3 * kShortBlockBytes;
  }
  uint64_t c = crc;
  while (size >= 8) {
    c = _mm_crc32_u64(c, load64(p));
    p += 8;
    size -= 8;
  }
  uint32_t c32 = static_cast<uint32_t>(c);
  while (size > 0) {
    c32 = _mm_crc32_u8(c32, *p++);
    --size;
  }
  return c32;
}

bool cpu_has_sse42() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) == 0) return false;
  return (ecx & bit_SSE4_2) != 0;
}
#endif

}  // namespace

uint32_t crc32c_extend(uint32_t crc, const void* data, size_t size) noexcept {
  const auto* p = static_cast<const unsigned char*>(data);
  crc = ~crc;
#if defined(__x86_64__)
  static const bool has_sse42 = cpu_has_sse42();
  crc = has_sse42 ? extend_sse42(crc, p, size) : extend_portable(crc, p, size);
#else
  crc = extend_portable(crc, p, size);
#endif
  return ~crc;
}

uint32_t crc32c_patch(uint32_t crc, size_t total_size, size_t offset, const void* old_bytes,
                      const void* new_bytes, size_t size) noexcept {
  // The checksum is affine in the bytes: the new one is the old one XOR the raw register (no initial or final
  // inversion) of the difference, which is zero before `offset` and after the patch. Leading zeros leave a
  // zero register as it is; trailing ones are a multiplication by x^(8 * their count).
  std::array<unsigned char, 64> diff{};
  const auto* before = static_cast<const unsigned char*>(old_bytes);
  const auto* after = static_cast<const unsigned char*>(new_bytes);
  uint32_t raw = 0;
  for (size_t done = 0; done < size;) {
    const size_t n = std::min(diff.size(), size - done);
    for (size_t i = 0; i < n; ++i) diff[i] = before[done + i] ^ after[done + i];
    raw = extend_portable(raw, diff.data(), n);
    done += n;
  }
  return crc ^ multiply_modulo(x_power_of_bytes(total_size - offset - size), raw);
}

uint32_t crc32c_extend_portable(uint32_t crc, const void* data, size_t size) noexcept {
  return ~extend_portable(~crc, static_cast<const unsigned char*>(data), size);
}

}  // namespace millrace::protocol
