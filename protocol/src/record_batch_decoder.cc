#include "millrace/protocol/record_batch_decoder.h"

#include "millrace/protocol/record_view.h"

namespace millrace::protocol {

namespace {

std::optional<std::string> to_owned(const std::optional<std::string_view>& view) {
  if (!view) return std::nullopt;
  return std::string(*view);
}

}  // namespace

// One parser: the views decoder validates and locates; this copies what it found into owning records.
Status decode_records(ByteView bytes, int64_t min_offset, std::vector<Record>& out) {
  std::vector<RecordView> views;
  auto decoded = decode_record_views(bytes, min_offset, views);
  if (!decoded) return std::move(decoded).error();
  out.reserve(out.size() + views.size());
  for (const RecordView& v : views) {
    Record r;
    r.key = to_owned(v.key);
    r.value = to_owned(v.value);
    r.headers.reserve(v.headers.size());
    for (const HeaderView& h : v.headers)
      r.headers.push_back(RecordHeader{std::string(h.key), to_owned(h.value)});
    r.timestamp_ms = v.timestamp_ms;
    r.offset = v.offset;
    out.push_back(std::move(r));
  }
  return {};
}

}  // namespace millrace::protocol
