// Reading fetched batches: records at or after the fetch offset, and where the next fetch starts (past
// control batches and a partial trailing batch).
#include <catch2/catch.hpp>

#include "batch_helpers.h"
#include "fetched_batches.h"

using namespace millrace;
using namespace millrace::client::internal;

using millrace::testing::batch_at;
using millrace::testing::concat;

TEST_CASE("records below the fetch offset are skipped and the next offset follows the last batch") {
  const Buffer bytes = concat({batch_at(10, 5), batch_at(15, 3)});
  auto fetched = read_fetched_batches(bytes, 12);
  REQUIRE(fetched.ok());
  REQUIRE(fetched->records.size() == 6);
  CHECK(fetched->records.front().offset == 12);
  CHECK(fetched->records.back().offset == 17);
  CHECK(fetched->next_offset == 18);
}

TEST_CASE("a control batch is skipped but still moves the next offset") {
  const Buffer bytes = concat({batch_at(0, 2), batch_at(2, 1, true)});
  auto fetched = read_fetched_batches(bytes, 0);
  REQUIRE(fetched.ok());
  CHECK(fetched->records.size() == 2);
  CHECK(fetched->next_offset == 3);
  auto only_control = read_fetched_batches(batch_at(7, 1, true), 7);
  REQUIRE(only_control.ok());
  CHECK(only_control->records.empty());
  CHECK(only_control->next_offset == 8);
}

TEST_CASE("a partial trailing batch is ignored") {
  Buffer bytes = concat({batch_at(0, 2), batch_at(2, 2)});
  bytes.resize(bytes.size() - 5);
  auto fetched = read_fetched_batches(bytes, 0);
  REQUIRE(fetched.ok());
  CHECK(fetched->records.size() == 2);
  CHECK(fetched->next_offset == 2);
}

TEST_CASE("nothing fetched leaves the offset where it was") {
  auto fetched = read_fetched_batches({}, 42);
  REQUIRE(fetched.ok());
  CHECK(fetched->records.empty());
  CHECK(fetched->next_offset == 42);
}

TEST_CASE("a corrupt batch is an error") {
  Buffer bytes = batch_at(0, 2);
  bytes[bytes.size() - 1] ^= 0x5a;
  auto fetched = read_fetched_batches(bytes, 0);
  REQUIRE_FALSE(fetched.ok());
}

namespace {

// A zero-record batch covering [base_offset, base_offset + span), as log compaction leaves behind when it
// removes every record of a batch.
Buffer empty_batch_at(int64_t base_offset, int span) {
  namespace bf = protocol::batch_format;
  Buffer bytes = batch_at(base_offset, span);
  bytes.resize(bf::kHeaderSize);
  protocol::store_be<int32_t>(bytes.data() + bf::kBatchLength,
                              static_cast<int32_t>(bf::kHeaderSize - bf::kLogOverhead));
  protocol::store_be<int32_t>(bytes.data() + bf::kRecordCount, 0);
  protocol::store_be<uint32_t>(bytes.data() + bf::kCrc, protocol::crc32c(bytes.data() + bf::kAttributes,
                                                                         bytes.size() - bf::kAttributes));
  return bytes;
}

}  // namespace

TEST_CASE("a zero-record batch left by compaction yields no records but moves the next offset") {
  const Buffer bytes = concat({batch_at(0, 2), empty_batch_at(2, 3), batch_at(5, 1)});
  auto fetched = read_fetched_batches(bytes, 0);
  REQUIRE(fetched.ok());
  REQUIRE(fetched->records.size() == 3);
  CHECK(fetched->records[1].offset == 1);
  CHECK(fetched->records[2].offset == 5);
  CHECK(fetched->next_offset == 6);
  auto only_empty = read_fetched_batches(empty_batch_at(7, 4), 8);
  REQUIRE(only_empty.ok());
  CHECK(only_empty->records.empty());
  CHECK(only_empty->next_offset == 11);
}
