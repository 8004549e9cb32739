#pragma once
// ConsumerRecord: one record returned by Consumer::poll.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "millrace/protocol/record.h"
#include "millrace/protocol/strong_types.h"

namespace millrace::client {

struct ConsumerRecord {
  std::string topic;
  PartitionId partition{0};
  Offset offset{0};
  std::optional<std::string> key;    // nullopt: a null key
  std::optional<std::string> value;  // nullopt: a null value (a tombstone)
  std::vector<protocol::RecordHeader> headers;
  int64_t timestamp_ms = 0;  // create time, ms since the epoch
};

}  // namespace millrace::client
