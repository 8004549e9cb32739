#pragma once
// Control batches for Raft's internal entries. A control batch has the control attribute bit set and one
// record whose key is int16 version (0) + int16 type, as in Kafka; Kafka clients skip control batches.
// Types 0 and 1 are Kafka's transaction markers and 2-6 are KRaft's; Millrace's Raft entries use 32 and 33
// so that no Kafka tool mistakes their values for its own.
#include <cstdint>
#include <optional>

#include "millrace/protocol/bytes.h"
#include "millrace/protocol/result.h"
#include "millrace/replication/configuration.h"
#include "millrace/replication/entry.h"

namespace millrace::replication {

constexpr int16_t kControlKeyVersion = 0;
constexpr int16_t kControlTypeTermStart = 32;      // value: int32 leader node id
constexpr int16_t kControlTypeConfiguration = 33;  // value: Configuration::encode()
constexpr int64_t kControlTimestampMs = -1;        // the core has no clock; -1 is Kafka's "no timestamp"

// A control batch of one record with `type` and `value`. Base offset 0 and epoch -1 until appended.
Buffer make_control_batch(int16_t type, ByteView value);
Buffer make_term_start_batch(NodeId leader);
Buffer make_configuration_batch(const Configuration& configuration);

// The control type of a control batch (nullopt if `batch` is not a control batch or its key is unreadable).
std::optional<int16_t> control_type(ByteView batch);
// The value of the (single) record of a control batch. invalid_batch if it cannot be read.
Result<Buffer> control_value(ByteView batch);

// The configuration held by a configuration entry.
Result<Configuration> configuration_of(const Entry& entry);

}  // namespace millrace::replication
