// The pure pieces of compaction: the key map, record parsing, batch rewriting and the segment compactor.
#include "batch_rewriter.h"
#include "compaction_test_support.h"
#include "key_offset_map.h"
#include "record_view.h"
#include "segment_compactor.h"

using namespace millrace;
using namespace millrace::storage;
using namespace millrace::storage::test;

namespace {

Buffer at_offset(Buffer batch, int64_t base_offset) {
  protocol::set_base_offset(batch, base_offset);
  return batch;
}

std::vector<protocol::RecordBatchHeader> headers_of(ByteView bytes) {
  std::vector<protocol::RecordBatchHeader> headers;
  for (size_t at = 0; at < bytes.size();) {
    const auto scan = protocol::scan_batch(bytes.subspan(at), 1 << 20);
    REQUIRE(scan.status == protocol::ScanStatus::complete);  // CRC recomputed correctly
    headers.push_back(scan.header);
    at += static_cast<size_t>(scan.header.size_bytes());
  }
  return headers;
}

}  // namespace

TEST_CASE("the key map keeps the latest offset per key within its memory bound") {
  KeyOffsetMap map(1 << 20);
  CHECK(map.capacity() == 24576);  // 32768 slots (a power of two within 1 MiB), 75 % full
  for (int i = 0; i < 10'000; ++i) map.put("key" + std::to_string(i % 3000), i);
  CHECK(map.size() == 3000);
  CHECK(map.get("key0") == std::optional<int64_t>(9000));
  CHECK(map.get("key2999") == std::optional<int64_t>(8999));
  CHECK_FALSE(map.get("nope").has_value());
  CHECK(map.get("") == std::nullopt);
  map.put("", 5);
  CHECK(map.get("") == std::optional<int64_t>(5));
  KeyOffsetMap small(1);
  CHECK(small.capacity() == 768);
  CHECK(small.has_room_for(768));
  CHECK_FALSE(small.has_room_for(769));
}

TEST_CASE("records are parsed in place with their raw bytes") {
  Buffer batch = at_offset(keyed_batch({{"a", "1"}, {"b", std::nullopt}, {"c", "333"}}, 1000), 40);
  const auto header = protocol::read_batch_header(batch);
  std::vector<RecordView> records;
  REQUIRE(parse_records(batch, header, records));
  REQUIRE(records.size() == 3);
  CHECK(records[0].offset == 40);
  CHECK(records[2].offset == 42);
  CHECK(records[1].key == std::optional<std::string_view>("b"));
  CHECK(records[1].null_value);
  CHECK_FALSE(records[0].null_value);
  CHECK(records[0].timestamp_ms == 1000);
  CHECK(records[0].bytes.data() == batch.data() + protocol::batch_format::kHeaderSize);
  const Buffer broken(batch.begin(), batch.end() - 1);  // the last record cut short
  CHECK_FALSE(parse_records(broken, header, records));
}

TEST_CASE("a rewritten batch keeps offsets, timestamps and producer fields") {
  Buffer batch = at_offset(keyed_batch({{"a", "1"}, {"b", "2"}, {"c", "3"}}, 5000), 100);
  const auto header = protocol::read_batch_header(batch);
  std::vector<RecordView> records;
  REQUIRE(parse_records(batch, header, records));
  Buffer out;
  append_rewritten_batch(batch, {records[1].bytes}, out);
  const auto rewritten = headers_of(out);
  REQUIRE(rewritten.size() == 1);
  CHECK(rewritten[0].base_offset == 100);
  CHECK(rewritten[0].last_offset_delta == 2);
  CHECK(rewritten[0].record_count == 1);
  CHECK(rewritten[0].base_timestamp_ms == header.base_timestamp_ms);
  CHECK(rewritten[0].producer_id == header.producer_id);
  std::vector<protocol::Record> decoded;
  REQUIRE(protocol::decode_records(out, 0, decoded).ok());
  REQUIRE(decoded.size() == 1);
  CHECK(decoded[0].offset == 101);
  CHECK(decoded[0].key == std::optional<std::string>("b"));
  CHECK(decoded[0].timestamp_ms == 5000);
}

TEST_CASE("the segment compactor keeps, rewrites, empties and coalesces batches") {
  SegmentCompactor keep_all([](const RecordView&) { return true; });
  Buffer input;
  for (int i = 0; i < 3; ++i) {
    Buffer b = at_offset(keyed_batch({{"k", "v"}, {"j", "w"}}), i * 2);
    input.insert(input.end(), b.begin(), b.end());
    REQUIRE(keep_all.add(b, protocol::read_batch_header(b)));
  }
  keep_all.finish();
  CHECK_FALSE(keep_all.changed());
  CHECK(keep_all.output() == input);

  SegmentCompactor drop_k([](const RecordView& r) { return r.key != std::optional<std::string_view>("k"); });
  const Buffer first = at_offset(keyed_batch({{"k", "1"}, {"k", "2"}}), 0);              // emptied
  const Buffer second = at_offset(keyed_batch({{"k", "3"}}), 2);                         // emptied
  const Buffer control = at_offset(control_batch(), 3);                                  // kept whole
  const Buffer third = at_offset(keyed_batch({{"k", "4"}, {"j", "5"}, {"k", "6"}}), 4);  // rewritten
  for (const Buffer* b : {&first, &second, &control, &third})
    REQUIRE(drop_k.add(*b, protocol::read_batch_header(*b)));
  drop_k.finish();
  CHECK(drop_k.changed());
  CHECK(drop_k.records_removed() == 5);
  const auto headers = headers_of(drop_k.output());
  REQUIRE(headers.size() == 3);
  CHECK(headers[0].base_offset == 0);
  CHECK(headers[0].next_offset() == 3);  // two emptied batches coalesced
  CHECK(headers[0].record_count == 0);
  CHECK(headers[1].is_control());
  CHECK(headers[2].base_offset == 4);
  CHECK(headers[2].next_offset() == 7);
  CHECK(headers[2].record_count == 1);
  std::vector<protocol::Record> decoded;
  REQUIRE(protocol::decode_records(drop_k.output(), 0, decoded).ok());
  REQUIRE(decoded.size() == 1);
  CHECK(decoded[0].offset == 5);
}

TEST_CASE("batches of an idempotent producer or another epoch are not coalesced") {
  SegmentCompactor drop_all([](const RecordView&) { return false; });
  Buffer a = at_offset(keyed_batch({{"k", "1"}}), 0);
  Buffer b = at_offset(keyed_batch({{"k", "2"}}), 1);
  protocol::set_partition_leader_epoch(b, 7);
  protocol::RecordBatchBuilder builder;
  builder.set_producer(42, 0, 0);
  builder.append(protocol::Record{std::string("k"), std::string("3"), {}, 0, 0});
  Buffer c = at_offset(builder.build(), 2);
  protocol::set_partition_leader_epoch(c, 7);
  for (const Buffer* x : {&a, &b, &c}) REQUIRE(drop_all.add(*x, protocol::read_batch_header(*x)));
  drop_all.finish();
  const auto headers = headers_of(drop_all.output());
  REQUIRE(headers.size() == 3);
  CHECK(headers[2].producer_id == 42);
  CHECK(headers[2].record_count == 0);
}

TEST_CASE("compressed batches are kept whole") {
  Buffer batch = keyed_batch({{"k", "1"}});
  protocol::store_be<int16_t>(batch.data() + protocol::batch_format::kAttributes, 4);  // zstd
  fix_crc(batch);
  const auto header = protocol::read_batch_header(batch);
  CHECK_FALSE(SegmentCompactor::is_filterable(header));
  SegmentCompactor drop_all([](const RecordView&) { return false; });
  REQUIRE(drop_all.add(batch, header));
  drop_all.finish();
  CHECK(drop_all.output() == batch);
  CHECK_FALSE(drop_all.changed());
}
