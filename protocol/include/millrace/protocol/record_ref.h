#pragma once
// RecordRef: a record to encode, viewing bytes the caller keeps alive for the call — nothing is copied until
// the record is written into a batch. A Record converts to one implicitly (its headers are viewed in place).
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "millrace/protocol/record.h"
#include "millrace/protocol/record_view.h"

namespace millrace::protocol {

// An owned header seen as a view.
inline HeaderView view_of(const RecordHeader& header) {
  return {header.key, header.value ? std::optional<std::string_view>(*header.value) : std::nullopt};
}

struct RecordRef {
  std::optional<std::string_view> key;    // nullopt: a null key
  std::optional<std::string_view> value;  // nullopt: a null value
  std::span<const HeaderView> headers;    // unless owned_headers is set
  const std::vector<RecordHeader>* owned_headers = nullptr;
  int64_t timestamp_ms = 0;

  RecordRef() = default;
  RecordRef(const Record& record)  // NOLINT(google-explicit-constructor): a Record is a RecordRef's source
      : key(record.key),
        value(record.value),
        owned_headers(&record.headers),
        timestamp_ms(record.timestamp_ms) {}

  size_t header_count() const { return owned_headers != nullptr ? owned_headers->size() : headers.size(); }
  // Calls f(std::string_view key, std::optional<std::string_view> value) for each header, in order.
  template <class F>
  void for_each_header(F&& f) const {
    if (owned_headers != nullptr) {
      for (const RecordHeader& h : *owned_headers) {
        const HeaderView view = view_of(h);
        f(view.key, view.value);
      }
    } else {
      for (const HeaderView& h : headers) f(h.key, h.value);
    }
  }
};

}  // namespace millrace::protocol
