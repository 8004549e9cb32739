// murmur2 and the key partitioner against Kafka's own values: the vectors of Kafka's UtilsTest.testMurmur2,
// and partition numbers computed with kafka-python 2.0.2 (kafka.partitioner.default.DefaultPartitioner,
// Debian's python3-kafka), which implements Kafka's default partitioner for keyed records.
#include <catch2/catch.hpp>
#include <string>

#include "millrace/client/murmur2.h"
#include "millrace/client/partitioner.h"

using namespace millrace;
using namespace millrace::client;

TEST_CASE("murmur2 matches Kafka's UtilsTest.testMurmur2 vectors") {
  CHECK(murmur2("21") == -973932308);
  CHECK(murmur2("foobar") == -790332482);
  CHECK(murmur2("a-little-bit-long-string") == -985981536);
  CHECK(murmur2("a-little-bit-longer-string") == -1486304829);
  CHECK(murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8") == -58897971);
  const char abc[] = {'a', 'b', 'c'};
  CHECK(murmur2(std::string_view(abc, 3)) == 479470107);
}

namespace {

struct KafkaPythonCase {
  std::string key;
  int32_t hash;  // murmur2, as a signed 32-bit int
  int32_t partition_of_8;
  int32_t partition_of_10;
};

// Every tail length (0-3 bytes after the last whole word), high-bit bytes, an embedded NUL, UTF-8.
const KafkaPythonCase kCases[] = {
    {std::string("", 0), 275646681, 1, 1},
    {std::string("a", 1), -1563381124, 4, 4},
    {std::string("ab", 2), 316155434, 2, 4},
    {std::string("abc", 3), 479470107, 3, 7},
    {std::string("key-0", 5), 29210041, 1, 1},
    {std::string("key-1", 5), 193331640, 0, 0},
    {std::string("key-2", 5), 852269702, 6, 2},
    {std::string("user-42", 7), 1459644460, 4, 0},
    {std::string("order:12345", 11), -408361232, 0, 6},
    {std::string("hello", 5), 2132663229, 5, 9},
    {std::string("millrace", 8), 2104008374, 6, 4},
    {std::string("\xff\x00\x80\x7f", 4), 2015219808, 0, 8},
    {std::string("\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87", 8), 2122343024, 0, 4},
    {std::string("the quick brown fox jumps over the lazy dog", 43), -890066680, 0, 8},
};

}  // namespace

TEST_CASE("murmur2 matches kafka-python for keys of every tail length and byte range") {
  for (const auto& c : kCases) {
    INFO("key of " << c.key.size() << " bytes: " << c.key);
    CHECK(murmur2(c.key) == c.hash);
  }
}

TEST_CASE("keyed records land on the partition Kafka's default partitioner picks") {
  for (const auto& c : kCases) {
    INFO("key of " << c.key.size() << " bytes: " << c.key);
    CHECK(partition_for_key(c.key, 8) == PartitionId{c.partition_of_8});
    CHECK(partition_for_key(c.key, 10) == PartitionId{c.partition_of_10});
  }
}

TEST_CASE("the partitioner clears the sign bit instead of taking abs()") {
  // For this key and 7 partitions the two disagree: (h & 0x7fffffff) % 7 == 3 but abs(h) % 7 == 6.
  const int32_t h = murmur2("order:12345");  // -408361232
  REQUIRE(h < 0);
  const auto masked = static_cast<int32_t>((static_cast<uint32_t>(h) & 0x7fffffffu) % 7u);
  const auto absolute = static_cast<int32_t>(static_cast<uint32_t>(-static_cast<int64_t>(h)) % 7u);
  REQUIRE(masked != absolute);
  CHECK(partition_for_key("order:12345", 7) == PartitionId{masked});
}

TEST_CASE("a single partition takes every key") {
  for (const auto& c : kCases) CHECK(partition_for_key(c.key, 1) == PartitionId{0});
}
