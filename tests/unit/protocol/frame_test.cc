#include <catch2/catch.hpp>

#include "millrace.pb.h"
#include "millrace/protocol/byte_order.h"
#include "millrace/protocol/frame.h"

using namespace millrace;
using namespace millrace::protocol;

TEST_CASE("a frame round-trips through append_frame and parse_frame") {
  wire::ProduceRequest req;
  req.set_acks(-1);
  auto* p = req.add_partitions();
  p->set_topic("events");
  p->set_records_bytes(5);
  Buffer payload{'a', 'b', 'c', 'd', 'e'};
  Buffer out;
  append_frame(out, ApiKey::produce, 42, req, payload);

  auto parsed = parse_frame(out, 1 << 20);
  REQUIRE(parsed.status == ParseStatus::complete);
  CHECK(parsed.frame.header.api_key == static_cast<uint16_t>(ApiKey::produce));
  CHECK(parsed.frame.header.correlation_id == 42);
  CHECK(parsed.frame.header.total_bytes() == out.size());
  CHECK(Buffer(parsed.frame.payload.begin(), parsed.frame.payload.end()) == payload);
  wire::ProduceRequest back;
  REQUIRE(back.ParseFromArray(parsed.frame.body.data(), static_cast<int>(parsed.frame.body.size())));
  CHECK(back.partitions(0).topic() == "events");
}

TEST_CASE("the frame parser asks for more on every truncation") {
  wire::MetadataRequest req;
  req.add_topics("t");
  Buffer out;
  append_frame(out, ApiKey::metadata, 1, req);
  for (size_t cut = 0; cut < out.size(); ++cut) {
    auto parsed = parse_frame(ByteView(out).first(cut), 1 << 20);
    CHECK(parsed.status == ParseStatus::need_more);
  }
}

TEST_CASE("the frame parser refuses oversized, undersized and inconsistent frames") {
  Buffer bytes(16, '\0');
  SECTION("oversized length is refused before the body arrives") {
    store_be<uint32_t>(bytes.data(), 2'000'000);
    auto parsed = parse_frame(ByteView(bytes).first(4), 1'000'000);
    CHECK(parsed.status == ParseStatus::error);
    CHECK(parsed.error.find("exceeds") != std::string::npos);
  }
  SECTION("length smaller than the fixed header") {
    store_be<uint32_t>(bytes.data(), 3);
    CHECK(parse_frame(bytes, 1'000'000).status == ParseStatus::error);
  }
  SECTION("body longer than the frame") {
    store_be<uint32_t>(bytes.data(), 12);
    store_be<uint32_t>(bytes.data() + 12, 1);
    CHECK(parse_frame(bytes, 1'000'000).status == ParseStatus::error);
  }
  SECTION("garbage") {
    Buffer garbage(64, '\xff');
    CHECK(parse_frame(garbage, 1'000'000).status == ParseStatus::error);
  }
}
