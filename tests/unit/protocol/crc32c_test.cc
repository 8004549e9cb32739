#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "millrace/protocol/crc32c.h"

using millrace::protocol::crc32c;
using millrace::protocol::crc32c_extend;
using millrace::protocol::crc32c_extend_portable;

TEST_CASE("crc32c matches the standard check value and RFC 3720 vectors") {
  const std::string check = "123456789";
  CHECK(crc32c(check.data(), check.size()) == 0xE3069283u);

  const std::string zeros(32, '\0');
  CHECK(crc32c(zeros.data(), zeros.size()) == 0x8A9136AAu);
  const std::string ones(32, '\xff');
  CHECK(crc32c(ones.data(), ones.size()) == 0x62A8AB43u);
  std::string ascending(32, '\0');
  for (int i = 0; i < 32; ++i) ascending[i] = static_cast<char>(i);
  CHECK(crc32c(ascending.data(), ascending.size()) == 0x46DD794Eu);
}

TEST_CASE("crc32c extends incrementally at any split point") {
  std::string data;
  for (int i = 0; i < 1000; ++i) data.push_back(static_cast<char>(i * 7));
  const uint32_t whole = crc32c(data.data(), data.size());
  for (size_t split : {0, 1, 7, 8, 9, 500, 999, 1000}) {
    const uint32_t first = crc32c(data.data(), split);
    CHECK(crc32c_extend(first, data.data() + split, data.size() - split) == whole);
  }
}

namespace {

// The definition, one byte at a time: the reference the fast paths are checked against.
uint32_t crc32c_reference(const unsigned char* p, size_t size) {
  static const auto table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t crc = ~0u;
  for (size_t i = 0; i < size; ++i) crc = table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

std::vector<unsigned char> random_bytes(size_t size, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::vector<unsigned char> bytes(size);
  for (auto& b : bytes) b = static_cast<unsigned char>(random());
  return bytes;
}

}  // namespace

TEST_CASE("crc32c equals the byte-at-a-time definition for every length 0 to 4096 at every alignment") {
  constexpr size_t kMaxLength = 4096;
  constexpr size_t kAlignments = 8;
  const auto bytes = random_bytes(kMaxLength + kAlignments, 42);
  size_t mismatches = 0;
  size_t portable_mismatches = 0;
  for (size_t offset = 0; offset < kAlignments; ++offset) {
    for (size_t length = 0; length <= kMaxLength; ++length) {
      const unsigned char* p = bytes.data() + offset;
      const uint32_t expected = crc32c_reference(p, length);
      if (crc32c(p, length) != expected) ++mismatches;
      if (crc32c_extend_portable(0, p, length) != expected) ++portable_mismatches;
    }
  }
  CHECK(mismatches == 0);
  CHECK(portable_mismatches == 0);
}

TEST_CASE("crc32c of long buffers equals the definition and extends across block boundaries") {
  const auto bytes = random_bytes(200000, 7);
  for (size_t length : {3071u, 3072u, 3073u, 3456u, 9216u, 16384u, 16411u, 65536u, 199999u, 200000u}) {
    const uint32_t expected = crc32c_reference(bytes.data(), length);
    CHECK(crc32c(bytes.data(), length) == expected);
    CHECK(crc32c_extend_portable(0, bytes.data(), length) == expected);
    for (size_t split : {1u, 383u, 384u, 3072u, 3077u}) {
      if (split > length) continue;
      const uint32_t first = crc32c(bytes.data(), split);
      CHECK(crc32c_extend(first, bytes.data() + split, length - split) == expected);
    }
  }
}

TEST_CASE("crc32c_patch gives the checksum of the changed bytes without reading the rest") {
  std::mt19937 random(7);
  for (const size_t total : {size_t{1}, size_t{14}, size_t{100}, size_t{4096}, size_t{262144 + 37}}) {
    std::vector<char> bytes(total);
    for (char& b : bytes) b = static_cast<char>(random());
    for (int trial = 0; trial < 20; ++trial) {
      const size_t size = 1 + random() % std::min<size_t>(total, 80);
      const size_t offset = random() % (total - size + 1);
      const uint32_t before = crc32c(bytes.data(), total);
      const std::vector<char> old_part(bytes.begin() + static_cast<ptrdiff_t>(offset),
                                       bytes.begin() + static_cast<ptrdiff_t>(offset + size));
      for (size_t i = 0; i < size; ++i) bytes[offset + i] = static_cast<char>(random());
      INFO("total " << total << ", offset " << offset << ", size " << size);
      CHECK(millrace::protocol::crc32c_patch(before, total, offset, old_part.data(), bytes.data() + offset,
                                             size) == crc32c(bytes.data(), total));
    }
  }
}
