#pragma once
// A record as producers write it and consumers read it. Keys and values are bytes; either may be null.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace millrace::protocol {

struct RecordHeader {
  std::string key;
  std::optional<std::string> value;
  bool operator==(const RecordHeader&) const = default;
};

struct Record {
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<RecordHeader> headers;
  int64_t timestamp_ms = 0;
  int64_t offset = 0;  // assigned by the broker; filled in by the decoder
  bool operator==(const Record&) const = default;
};

}  // namespace millrace::protocol
