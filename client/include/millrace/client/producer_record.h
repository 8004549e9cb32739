#pragma once
// ProducerRecord: one record handed to Producer::send. Key and value are bytes and may be null (nullopt).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "millrace/protocol/record.h"
#include "millrace/protocol/strong_types.h"

namespace millrace::client {

struct ProducerRecord {
  std::string topic;
  // Set: the record goes to this partition. Unset: the partitioner chooses (see partitioner.h).
  std::optional<PartitionId> partition;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<protocol::RecordHeader> headers;
  // Create time in ms since the epoch; unset means the wall clock at send().
  std::optional<int64_t> timestamp_ms;
};

}  // namespace millrace::client
