#include "millrace/client/consumer_records.h"

#include <string>

namespace millrace::client {

namespace {

std::optional<std::string> to_owned(const std::optional<std::string_view>& view) {
  if (!view) return std::nullopt;
  return std::string(*view);
}

}  // namespace

ConsumerRecord ConsumerRecordView::to_record() const {
  ConsumerRecord r{std::string(topic), partition, offset, to_owned(key), to_owned(value), {}, timestamp_ms};
  if (!headers.empty()) {
    r.headers.reserve(headers.size());
    for (const HeaderView& h : headers) r.headers.push_back({std::string(h.key), to_owned(h.value)});
  }
  return r;
}

}  // namespace millrace::client
