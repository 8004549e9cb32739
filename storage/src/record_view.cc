#include "record_view.h"

#include "millrace/protocol/record_batch_format.h"
#include "millrace/protocol/varint.h"

namespace millrace::storage {

namespace bf = protocol::batch_format;
using protocol::read_varint;
using protocol::read_varlong;

namespace {

// Skips a nullable byte field (varint length, -1 = null). Sets `is_null`; returns the bytes, or false.
bool read_field(ByteView in, size_t& pos, std::string_view& bytes, bool& is_null) {
  auto len = read_varint(in, pos);
  if (!len || *len < -1) return false;
  is_null = *len == -1;
  if (is_null) return true;
  if (in.size() - pos < static_cast<size_t>(*len)) return false;
  bytes = std::string_view(in.data() + pos, static_cast<size_t>(*len));
  pos += static_cast<size_t>(*len);
  return true;
}

bool parse_record(ByteView body, const protocol::RecordBatchHeader& h, RecordView& r) {
  size_t pos = 1;  // record attributes
  if (body.empty()) return false;
  auto timestamp_delta = read_varlong(body, pos);
  auto offset_delta = read_varint(body, pos);
  if (!timestamp_delta || !offset_delta) return false;
  r.timestamp_ms = h.base_timestamp_ms + *timestamp_delta;
  r.offset = h.base_offset + *offset_delta;
  std::string_view key;
  std::string_view value;
  bool key_null = false;
  if (!read_field(body, pos, key, key_null) || !read_field(body, pos, value, r.null_value)) return false;
  if (!key_null) r.key = key;
  auto header_count = read_varint(body, pos);
  if (!header_count || *header_count < 0) return false;
  for (int32_t i = 0; i < *header_count; ++i) {
    bool is_null = false;
    if (!read_field(body, pos, key, is_null) || is_null || !read_field(body, pos, value, is_null)) {
      return false;
    }
  }
  return pos == body.size();
}

}  // namespace

bool parse_records(ByteView batch, const protocol::RecordBatchHeader& header, std::vector<RecordView>& out) {
  out.clear();
  size_t pos = bf::kHeaderSize;
  for (int32_t i = 0; i < header.record_count; ++i) {
    const size_t start = pos;
    auto len = read_varint(batch, pos);
    if (!len || *len < 0 || batch.size() - pos < static_cast<size_t>(*len)) return false;
    RecordView r;
    if (!parse_record(batch.subspan(pos, static_cast<size_t>(*len)), header, r)) return false;
    pos += static_cast<size_t>(*len);
    r.bytes = batch.subspan(start, pos - start);
    out.push_back(r);
  }
  return pos == batch.size();
}

}  // namespace millrace::storage
