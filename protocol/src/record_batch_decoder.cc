#include "millrace/protocol/record_batch_decoder.h"

#include <limits>
#include <string>

#include "millrace/protocol/errc.h"
#include "millrace/protocol/record_batch.h"
#include "millrace/protocol/varint.h"

namespace millrace::protocol {

namespace bf = batch_format;

namespace {

// Reads a varint length and that many bytes; -1 means null.
bool read_nullable(ByteView in, size_t& pos, std::optional<std::string>& out) {
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

bool decode_record(ByteView in, const RecordBatchHeader& h, Record& r) {
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
  for (int32_t i = 0; i < *header_count; ++i) {
    RecordHeader header;
    std::optional<std::string> key;
    if (!read_nullable(in, pos, key) || !key || !read_nullable(in, pos, header.value)) return false;
    header.key = std::move(*key);
    r.headers.push_back(std::move(header));
  }
  return pos == in.size();
}

Status decode_batch_records(ByteView batch, const RecordBatchHeader& h, int64_t min_offset,
                            std::vector<Record>& out) {
  size_t pos = bf::kHeaderSize;
  for (int32_t i = 0; i < h.record_count; ++i) {
    auto len = read_varint(batch, pos);
    if (!len || *len < 0 || batch.size() - pos < static_cast<size_t>(*len)) {
      return make_error(errc::corrupt_message,
                        "bad record length in batch at offset " + std::to_string(h.base_offset));
    }
    Record r;
    if (!decode_record(batch.subspan(pos, static_cast<size_t>(*len)), h, r)) {
      return make_error(errc::corrupt_message,
                        "malformed record in batch at offset " + std::to_string(h.base_offset));
    }
    pos += static_cast<size_t>(*len);
    if (r.offset >= min_offset) out.push_back(std::move(r));
  }
  return {};
}

}  // namespace

Status decode_records(ByteView bytes, int64_t min_offset, std::vector<Record>& out) {
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
    if (h.is_control() || h.next_offset() <= min_offset) continue;
    if (h.compression() != bf::Compression::none) {
      return make_error(errc::unsupported_compression_type,
                        "compressed batches are not supported yet (codec " +
                            std::to_string(static_cast<int>(h.compression())) + ")");
    }
    if (auto st = decode_batch_records(batch, h, min_offset, out); !st) return st;
  }
  return {};
}

}  // namespace millrace::protocol
