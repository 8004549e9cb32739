#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>

#include "millrace/protocol/varint.h"

using namespace millrace;
using namespace millrace::protocol;

TEST_CASE("varints use Kafka's zig-zag encoding") {
  Buffer out;
  append_varint(out, 0);
  append_varint(out, -1);
  append_varint(out, 1);
  append_varint(out, 64);
  REQUIRE(out.size() == 5);
  CHECK(out[0] == 0x00);
  CHECK(out[1] == 0x01);
  CHECK(out[2] == 0x02);
  CHECK(static_cast<uint8_t>(out[3]) == 0x80);  // 64 -> zig-zag 128 -> 0x80 0x01
  CHECK(out[4] == 0x01);
}

TEST_CASE("write_varlong writes what append_varlong appends, and no more than varlong_size") {
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{63}, int64_t{-64}, int64_t{64}, int64_t{300},
                    int64_t{-300}, int64_t{std::numeric_limits<int32_t>::max()},
                    int64_t{std::numeric_limits<int32_t>::min()}, std::numeric_limits<int64_t>::max(),
                    std::numeric_limits<int64_t>::min()}) {
    INFO(v);
    Buffer appended;
    append_varlong(appended, v);
    char written[kVarlongMaxBytes + 1];
    written[varlong_size(v)] = 'x';  // must stay
    const char* end = write_varlong(written, v);
    REQUIRE(static_cast<size_t>(end - written) == varlong_size(v));
    CHECK(Buffer(static_cast<const char*>(written), end) == appended);
    CHECK(written[varlong_size(v)] == 'x');
  }
}

TEST_CASE("varints and varlongs round-trip at the edges") {
  for (int64_t v :
       {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{63}, int64_t{-64}, int64_t{300},
        int64_t{std::numeric_limits<int32_t>::max()}, int64_t{std::numeric_limits<int32_t>::min()},
        std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()}) {
    Buffer out;
    append_varlong(out, v);
    CHECK(out.size() == varlong_size(v));
    size_t pos = 0;
    auto back = read_varlong(out, pos);
    REQUIRE(back);
    CHECK(*back == v);
    CHECK(pos == out.size());
    if (v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max()) {
      Buffer out32;
      append_varint(out32, static_cast<int32_t>(v));
      size_t p32 = 0;
      CHECK(read_varint(out32, p32) == static_cast<int32_t>(v));
    }
  }
}

TEST_CASE("truncated and over-long varints are rejected") {
  Buffer truncated{static_cast<char>(0x80)};
  size_t pos = 0;
  CHECK_FALSE(read_varint(truncated, pos));
  Buffer too_long(6, static_cast<char>(0x80));
  too_long.push_back(0x01);
  pos = 0;
  CHECK_FALSE(read_varint(too_long, pos));
}

namespace {

// The plain byte-at-a-time decode the fast path must agree with: value (before zig-zag) and bytes used.
struct Reference {
  std::optional<uint64_t> value;
  size_t pos;
};
Reference reference_decode(const Buffer& in, size_t pos, size_t max_bytes) {
  uint64_t result = 0;
  for (size_t i = 0; i < max_bytes; ++i) {
    if (pos >= in.size()) return {std::nullopt, pos};
    const auto byte = static_cast<uint8_t>(in[pos++]);
    result |= static_cast<uint64_t>(byte & 0x7F) << (7 * i);
    if ((byte & 0x80) == 0) return {result, pos};
  }
  return {std::nullopt, pos};
}

int64_t unzigzag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

// Checks read_varint and read_varlong against the reference on `bytes` placed after `lead` bytes and followed
// by `pad` bytes (pad >= 10: the unrolled path; small pad: the checked path at the end of the buffer).
void check_like_reference(const Buffer& bytes, size_t lead, size_t pad) {
  Buffer in(lead, '\x00');
  in.insert(in.end(), bytes.begin(), bytes.end());
  in.insert(in.end(), pad, static_cast<char>(0xFF));  // continuation bits: a decode that overruns is caught
  const Reference r64 = reference_decode(in, lead, kVarlongMaxBytes);
  size_t pos = lead;
  const auto v64 = read_varlong(in, pos);
  CHECK(v64.has_value() == r64.value.has_value());
  if (v64 && r64.value) CHECK(*v64 == unzigzag(*r64.value));
  CHECK(pos == r64.pos);
  const Reference r32 = reference_decode(in, lead, kVarintMaxBytes);
  const bool fits = r32.value && *r32.value <= 0xFFFFFFFFull;
  pos = lead;
  const auto v32 = read_varint(in, pos);
  CHECK(v32.has_value() == fits);
  if (v32 && fits) CHECK(*v32 == static_cast<int32_t>(unzigzag(*r32.value)));
  CHECK(pos == r32.pos);
}

}  // namespace

TEST_CASE("every varlong length from 1 to 10 bytes decodes the same with and without room to spare") {
  for (size_t length = 1; length <= kVarlongMaxBytes; ++length) {
    INFO("length " << length);
    // The smallest and the largest value of this length, and one in between.
    const uint64_t low = length == 1 ? 0 : uint64_t{1} << (7 * (length - 1));
    const uint64_t high = length == kVarlongMaxBytes ? ~uint64_t{0} : (uint64_t{1} << (7 * length)) - 1;
    for (uint64_t raw : {low, high, low + (high - low) / 3}) {
      const auto value = unzigzag(raw);
      Buffer encoded;
      append_varlong(encoded, value);
      REQUIRE(encoded.size() == length);
      REQUIRE(varlong_size(value) == length);
      for (size_t pad : {size_t{0}, size_t{3}, size_t{9}, size_t{10}, size_t{16}}) {
        INFO("pad " << pad);
        check_like_reference(encoded, 2, pad);
        Buffer in = encoded;
        in.insert(in.end(), pad, '\x00');
        size_t pos = 0;
        CHECK(read_varlong(in, pos) == value);
        CHECK(pos == length);
        if (length <= kVarintMaxBytes && raw <= 0xFFFFFFFFull) {
          pos = 0;
          CHECK(read_varint(in, pos) == static_cast<int32_t>(value));
          CHECK(pos == length);
        }
      }
    }
  }
}

TEST_CASE("over-long, out-of-range and truncated varints are rejected the same on both paths") {
  for (size_t pad : {size_t{0}, size_t{4}, size_t{10}, size_t{20}}) {
    INFO("pad " << pad);
    // Five continuation bytes: over-long for a varint (pos moves 5), a 6+ byte varlong.
    check_like_reference(Buffer(5, static_cast<char>(0x80)), 1, pad);
    // Ten continuation bytes: over-long for a varlong too.
    check_like_reference(Buffer(10, static_cast<char>(0x80)), 1, pad);
    // A 5-byte varint needing more than 32 bits (0x10 in the 5th byte).
    check_like_reference(Buffer{'\xFF', '\xFF', '\xFF', '\xFF', '\x10'}, 0, pad);
    // The largest 5-byte varint that fits (0x0F in the 5th byte): int32 min after zig-zag.
    check_like_reference(Buffer{'\xFF', '\xFF', '\xFF', '\xFF', '\x0F'}, 0, pad);
    // A 10th varlong byte with bits above bit 63 (dropped, as the checked decode always did).
    Buffer ten(9, static_cast<char>(0xFF));
    ten.push_back('\x7F');
    check_like_reference(ten, 3, pad);
  }
  // Truncated: the buffer ends inside the varint (only the checked path can see this).
  Buffer truncated{'\x80', '\x80'};
  size_t pos = 0;
  CHECK_FALSE(read_varlong(truncated, pos));
  CHECK(pos == 2);
  // A position past the end is rejected without reading.
  pos = 5;
  CHECK_FALSE(read_varint(truncated, pos));
  CHECK(pos == 5);
}

TEST_CASE("random byte strings decode exactly as the byte-at-a-time reference") {
  uint64_t state = 0x9E3779B97F4A7C15ull;
  const auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  for (int i = 0; i < 20000; ++i) {
    Buffer bytes(1 + next() % 12);
    // Mostly continuation bytes, so that every length and the over-long cases come up.
    for (auto& b : bytes) b = static_cast<char>(next() % 4 == 0 ? next() % 0x80 : 0x80 | (next() % 0x80));
    check_like_reference(bytes, next() % 3, next() % 14);
  }
}
