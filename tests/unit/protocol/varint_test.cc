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
