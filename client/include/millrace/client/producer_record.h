#pragma once
// ProducerRecord: one record handed to Producer::send. Key and value are bytes and may be null (nullopt).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "millrace/protocol/record.h"
#include "millrace/protocol/record_view.h"
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

// ProducerRecordView: the same record viewing the caller's bytes, for Producer::send_view. They must stay
// valid only for the call: send_view() copies them straight into the batch, so a record costs no allocation
// of its own (with ProducerRecord, the caller's strings are built and then copied once more).
struct ProducerRecordView {
  std::string_view topic;
  std::optional<PartitionId> partition;
  std::optional<std::string_view> key;    // nullopt: a null key
  std::optional<std::string_view> value;  // nullopt: a null value (a tombstone)
  std::span<const protocol::HeaderView> headers;
  std::optional<int64_t> timestamp_ms;
};

}  // namespace millrace::client
