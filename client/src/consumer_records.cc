#include "millrace/client/consumer_records.h"

#include <string>

#include "consumer_records_access.h"

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

ConsumerRecords& ConsumerRecords::operator=(ConsumerRecords&& other) noexcept {
  if (this != &other) {
    if (spares_) spares_->give(std::move(records_));
    records_ = std::move(other.records_);
    owners_ = std::move(other.owners_);
    spares_ = std::move(other.spares_);
  }
  return *this;
}

ConsumerRecords::~ConsumerRecords() {
  if (spares_) spares_->give(std::move(records_));
}

}  // namespace millrace::client
