#include "millrace/protocol/record_view.h"

#include <algorithm>
#include <limits>
#include <string>

#include "millrace/protocol/errc.h"
#include "millrace/protocol/record_batch.h"
#include "millrace/protocol/varint.h"

namespace millrace::protocol {

namespace bf = batch_format;

namespace {

// Reads a varint length and views that many bytes; -1 means null.
bool read_nullable(ByteView in, size_t& pos, std::optional<std::string_view>& out) {
  auto len = read_varint(in, pos);
  if (!len || *len < -1) return false;
  if (*len == -1) {
    out.reset();
    return true;
  }
  if (in.size() - pos < static_cast<size_t>(*len)) return false;
  out.emplace(in.data() + pos, static_cast<size_t>(*len));
  pos += static_cast<size_t>(*len);
  return true;
}

bool decode_record(ByteView in, const RecordBatchHeader& h, RecordView& r) {
  size_t pos = 1;  // record attributes
  if (in.empty()) return false;
  auto ts_delta = read_varlong(in, pos);
  auto offset_delta = read_varint(in, pos);
  if (!ts_delta || !offset_delta) return false;
  r.timestamp_ms = h.base_timestamp_ms + *ts_delta;
  r.offset = h.base_offset + *offset_delta;
  if (!read_nullable(in, pos, r.key) || !read_nullable(in, pos, r.value)) return false;
  auto header_count = read_varint(in, pos);
  if (!header_count || *header_count < 0) return false;
  const size_t headers_start = pos;
  for (int32_t i = 0; i < *header_count; ++i) {
    std::optional<std::string_view> key;
    std::optional<std::string_view> value;
    if (!read_nullable(in, pos, key) || !key || !read_nullable(in, pos, value)) return false;
  }
  r.headers = HeaderViews(in.subspan(headers_start, pos - headers_start), *header_count);
  return pos == in.size();
}

Status decode_batch_records(ByteView batch, const RecordBatchHeader& h, int64_t min_offset,
                            std::vector<RecordView>& out) {
  size_t pos = bf::kHeaderSize;
  for (int32_t i = 0; i < h.record_count; ++i) {
    auto len = read_varint(batch, pos);
    if (!len || *len < 0 || batch.size() - pos < static_cast<size_t>(*len)) {
      return make_error(errc::corrupt_message,
                        "bad record length in batch at offset " + std::to_string(h.base_offset));
    }
    RecordView r;
    if (!decode_record(batch.subspan(pos, static_cast<size_t>(*len)), h, r)) {
      return make_error(errc::corrupt_message,
                        "malformed record in batch at offset " + std::to_string(h.base_offset));
    }
    pos += static_cast<size_t>(*len);
    if (r.offset >= min_offset) out.push_back(r);
  }
  return {};
}

}  // namespace

void HeaderViews::iterator::decode() {
  if (left_ <= 0) return;
  // decode_record_views() validated these bytes, so the reads cannot fail.
  auto key_size = static_cast<size_t>(*read_varint(bytes_, pos_));
  current_.key = std::string_view(bytes_.data() + pos_, key_size);
  pos_ += key_size;
  const int32_t value_size = *read_varint(bytes_, pos_);
  if (value_size < 0) {
    current_.value.reset();
    return;
  }
  current_.value.emplace(bytes_.data() + pos_, static_cast<size_t>(value_size));
  pos_ += static_cast<size_t>(value_size);
}

Result<int64_t> decode_record_views(ByteView bytes, int64_t min_offset, std::vector<RecordView>& out) {
  int64_t next_offset = min_offset;
  size_t pos = 0;
  while (pos < bytes.size()) {
    const ByteView rest = bytes.subspan(pos);
    const ScanResult scan = scan_batch(rest, std::numeric_limits<int32_t>::max());
    if (scan.status == ScanStatus::need_more) break;
    if (scan.status == ScanStatus::corrupt) {
      return make_error(errc::corrupt_message, std::string(scan.reason) + " in fetched data");
    }
    const RecordBatchHeader& h = scan.header;
    const ByteView batch = rest.subspan(0, static_cast<size_t>(h.size_bytes()));
    pos += batch.size();
    next_offset = std::max(next_offset, h.next_offset());
    if (h.is_control() || h.next_offset() <= min_offset) continue;
    if (h.compression() != bf::Compression::none) {
      return make_error(errc::unsupported_compression_type,
                        "compressed batches are not supported yet (codec " +
                            std::to_string(static_cast<int>(h.compression())) + ")");
    }
    if (auto st = decode_batch_records(batch, h, min_offset, out); !st) return std::move(st).error();
  }
  return next_offset;
}

}  // namespace millrace::protocol
