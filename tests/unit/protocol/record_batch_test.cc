#include <catch2/catch.hpp>
#include <tuple>

#include "millrace/protocol/byte_order.h"
#include "millrace/protocol/crc32c.h"
#include "millrace/protocol/errc.h"
#include "millrace/protocol/record_batch.h"
#include "millrace/protocol/record_batch_builder.h"
#include "millrace/protocol/record_batch_decoder.h"
#include "millrace/protocol/record_ref.h"

using namespace millrace;
using namespace millrace::protocol;
namespace bf = millrace::protocol::batch_format;

namespace {
Record make_record(int i) {
  Record r;
  r.key = "key-" + std::to_string(i);
  r.value = "value-" + std::to_string(i);
  r.timestamp_ms = 1'700'000'000'000 + i;
  if (i % 2 == 0) r.headers.push_back({"h", std::string("v") + std::to_string(i)});
  return r;
}
}  // namespace

TEST_CASE("a built batch has Kafka's v2 header and a valid CRC") {
  RecordBatchBuilder builder;
  for (int i = 0; i < 3; ++i) builder.append(make_record(i));
  Buffer batch = builder.build();

  const RecordBatchHeader h = read_batch_header(batch);
  CHECK(h.magic == 2);
  CHECK(h.record_count == 3);
  CHECK(h.last_offset_delta == 2);
  CHECK(h.size_bytes() == static_cast<int64_t>(batch.size()));
  CHECK(h.base_timestamp_ms == 1'700'000'000'000);
  CHECK(h.max_timestamp_ms == 1'700'000'000'002);
  CHECK(h.producer_id == -1);
  CHECK(h.crc == crc32c(batch.data() + bf::kAttributes, batch.size() - bf::kAttributes));
  auto validated = validate_batches(batch, 1 << 20);
  REQUIRE(validated.ok());
  CHECK(*validated == 1);
}

TEST_CASE("a batch checksummed in pieces as it grows has the CRC of the whole, batch after batch") {
  // Records of many sizes, so that the pieces end at every kind of place; the builder is reused, and the
  // producer fields (inside the checksummed range) are set, so the header patch is exercised too.
  RecordBatchBuilder builder;
  builder.set_producer(1234, 5, 678);
  for (size_t records : {1u, 7u, 40u, 300u}) {
    size_t value_bytes = 0;
    for (size_t i = 0; i < records; ++i) {
      Record record = make_record(static_cast<int>(i));
      record.value = std::string(1 + (i * 397) % 3000, static_cast<char>('a' + i % 26));
      value_bytes += record.value->size();
      builder.append(record);
    }
    Buffer batch = builder.build();
    if (records == 300) REQUIRE(batch.size() > 10 * RecordBatchBuilder::kCrcChunkBytes);
    const RecordBatchHeader h = read_batch_header(batch);
    CHECK(h.record_count == static_cast<int32_t>(records));
    CHECK(h.producer_id == 1234);
    CHECK(h.base_sequence == 678);
    CHECK(h.crc == crc32c(batch.data() + bf::kAttributes, batch.size() - bf::kAttributes));
    CHECK(validate_batches(batch, 1 << 20).ok());
    CHECK(value_bytes > 0);
  }
}

TEST_CASE("records round-trip through builder and decoder, including nulls and headers") {
  RecordBatchBuilder builder;
  std::vector<Record> expected;
  for (int i = 0; i < 5; ++i) expected.push_back(make_record(i));
  expected[1].key.reset();
  expected[2].value.reset();  // tombstone
  for (const auto& r : expected) builder.append(r);
  Buffer batch = builder.build();
  set_base_offset(batch, 100);
  REQUIRE(validate_batches(batch, 1 << 20).ok());  // rewriting the base offset keeps the CRC valid

  std::vector<Record> decoded;
  REQUIRE(decode_records(batch, 0, decoded).ok());
  REQUIRE(decoded.size() == expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    expected[i].offset = 100 + static_cast<int64_t>(i);
    CHECK(decoded[i] == expected[i]);
  }
  decoded.clear();
  REQUIRE(decode_records(batch, 103, decoded).ok());
  REQUIRE(decoded.size() == 2);
  CHECK(decoded[0].offset == 103);
}

TEST_CASE(
    "a record given as views encodes to the same bytes as the owned record, headers and nulls included") {
  RecordBatchBuilder from_owned;
  RecordBatchBuilder from_views;
  std::vector<Record> records;
  for (int i = 0; i < 4; ++i) records.push_back(make_record(i));
  records[1].key.reset();
  records[2].value.reset();
  records[3].headers = {{"k1", std::nullopt}, {"k2", std::string("v2")}};
  for (const Record& r : records) {
    std::vector<HeaderView> headers;
    for (const RecordHeader& h : r.headers) headers.push_back(view_of(h));
    RecordRef view;
    view.key = r.key;
    view.value = r.value;
    view.headers = headers;
    view.timestamp_ms = r.timestamp_ms;
    CHECK(RecordBatchBuilder::record_size_upper_bound(view) ==
          RecordBatchBuilder::record_size_upper_bound(r));
    from_views.append(view);
    from_owned.append(r);
  }
  const Buffer owned = from_owned.build();
  const Buffer viewed = from_views.build();
  CHECK(viewed == owned);
  std::vector<Record> decoded;
  REQUIRE(decode_records(viewed, 0, decoded).ok());
  REQUIRE(decoded.size() == records.size());
  CHECK(decoded[3].headers == records[3].headers);
  CHECK_FALSE(decoded[1].key.has_value());
  CHECK_FALSE(decoded[2].value.has_value());
}

TEST_CASE("set_producer_fields stamps a batch and leaves a CRC equal to one computed afresh") {
  RecordBatchBuilder builder;
  for (int i = 0; i < 200; ++i) builder.append(make_record(i));
  Buffer batch = builder.build();
  for (const auto& [id, epoch, sequence] :
       {std::tuple<int64_t, int16_t, int32_t>{7, 0, 0}, {0x0102030405060708, 3, 123456}, {-1, -1, -1}}) {
    set_producer_fields(MutableByteView(batch), id, epoch, sequence);
    const RecordBatchHeader h = read_batch_header(batch);
    CHECK(h.producer_id == id);
    CHECK(h.producer_epoch == epoch);
    CHECK(h.base_sequence == sequence);
    CHECK(h.crc == crc32c(batch.data() + bf::kAttributes, batch.size() - bf::kAttributes));
    CHECK(validate_batches(batch, 1 << 20).ok());
  }
}

TEST_CASE("validation refuses corrupt, truncated and oversized batches") {
  RecordBatchBuilder builder;
  builder.append(make_record(1));
  Buffer batch = builder.build();

  SECTION("flipped byte in the records") {
    batch.back() ^= 0x01;
    auto r = validate_batches(batch, 1 << 20);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == errc::corrupt_message);
  }
  SECTION("truncated") {
    batch.pop_back();
    auto r = validate_batches(batch, 1 << 20);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == errc::corrupt_message);
  }
  SECTION("over the size limit") {
    auto r = validate_batches(batch, static_cast<int64_t>(batch.size()) - 1);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == errc::message_too_large);
  }
  SECTION("wrong magic") {
    batch[bf::kMagic] = 1;
    auto r = validate_batches(batch, 1 << 20);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == errc::corrupt_message);
  }
  SECTION("record count that does not match the offset delta") {
    store_be<int32_t>(batch.data() + bf::kRecordCount, 2);
    store_be<uint32_t>(batch.data() + bf::kCrc,
                       crc32c(batch.data() + bf::kAttributes, batch.size() - bf::kAttributes));
    auto r = validate_batches(batch, 1 << 20);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == errc::invalid_record);
  }
  SECTION("empty") {
    auto r = validate_batches({}, 1 << 20);
    REQUIRE_FALSE(r.ok());
  }
}

TEST_CASE("scan_batch tells a torn tail from corruption") {
  RecordBatchBuilder builder;
  builder.append(make_record(7));
  Buffer batch = builder.build();
  for (size_t cut = 0; cut < batch.size(); ++cut) {
    const ScanResult r = scan_batch(ByteView(batch).first(cut), 1 << 20);
    CHECK(r.status == ScanStatus::need_more);
  }
  CHECK(scan_batch(batch, 1 << 20).status == ScanStatus::complete);
  Buffer garbage(100, 'x');
  CHECK(scan_batch(garbage, 1 << 20).status == ScanStatus::corrupt);
}

TEST_CASE(
    "records of every varint length boundary round-trip, built in reused storage without reallocating") {
  std::vector<Record> expected;
  for (size_t size : {0u, 1u, 63u, 64u, 65u, 127u, 128u, 8191u, 8192u, 8193u, 70000u}) {
    Record r;
    r.key = std::string(size % 100, 'k');
    r.value = std::string(size, 'v');
    r.timestamp_ms = 1'700'000'000'000 - static_cast<int64_t>(size);  // negative deltas too
    r.headers.push_back({std::string(size % 70, 'h'), std::nullopt});
    r.headers.push_back({"x", std::string(size % 130, 'y')});
    expected.push_back(std::move(r));
  }
  expected[0].key.reset();
  expected[1].value.reset();

  RecordBatchBuilder fresh;
  for (const auto& r : expected) fresh.append(r);
  const Buffer reference = fresh.build();

  Buffer storage(1 << 20, 'z');  // stale contents must not leak into the batch
  const char* const memory = storage.data();
  RecordBatchBuilder reusing(std::move(storage));
  for (const auto& r : expected) reusing.append(r);
  const Buffer built = reusing.build();
  CHECK(built == reference);
  CHECK(built.data() == memory);  // appended in place: the storage's capacity sufficed

  std::vector<Record> decoded;
  REQUIRE(decode_records(built, 0, decoded).ok());
  REQUIRE(decoded.size() == expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    expected[i].offset = static_cast<int64_t>(i);
    CHECK(decoded[i] == expected[i]);
  }
}
