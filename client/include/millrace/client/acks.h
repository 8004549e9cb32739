#pragma once
// Acks: how many replicas must have a batch before the broker answers a produce request (Kafka's acks).
#include <cstdint>
#include <string_view>

#include "millrace/protocol/result.h"

namespace millrace::client {

enum class Acks : int32_t {
  none = 0,    // the broker sends no response; a record counts as delivered once written to the socket
  leader = 1,  // the leader has appended the batch
  all = -1,    // a majority of replicas have the batch on disk (the design brief's durability default)
};

// Parses "0", "1", "all" or "-1". Errors: client::errc::invalid_argument.
Result<Acks> parse_acks(std::string_view text);

}  // namespace millrace::client
