#pragma once
// DeliveryReport: the outcome of one Producer::send.
//
// What "delivered" means depends on acks: with acks=all the record is on disk on a majority of replicas;
// with acks=1 the leader has appended it; with acks=0 it was written to the socket and `offset` is -1.
// A report with an error means the record was NOT appended — except that after a timeout or a broken
// connection the broker may have appended it anyway (at-least-once, as in Kafka without idempotence).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "millrace/protocol/result.h"
#include "millrace/protocol/strong_types.h"

namespace millrace::client {

struct DeliveryReport {
  std::string topic;
  PartitionId partition{-1};   // -1 if the record failed before a partition was chosen
  Offset offset{-1};           // the record's offset; -1 with acks=0 or on error
  int64_t timestamp_ms = -1;   // the record's create time
  std::optional<Error> error;  // set when delivery failed

  bool ok() const { return !error.has_value(); }
};

// Called once per record, on the client's I/O thread: keep it short and never block in it (no flush(),
// close() or blocking send() from inside a callback).
using DeliveryCallback = std::function<void(const DeliveryReport&)>;

}  // namespace millrace::client
