#include <catch2/catch.hpp>
#include <string>

#include "millrace/protocol/crc32c.h"

using millrace::protocol::crc32c;
using millrace::protocol::crc32c_extend;

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
