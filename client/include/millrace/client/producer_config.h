#pragma once
// ProducerConfig: every knob of Producer, with Kafka's names (dots turned into underscores, unit last) and,
// where they make sense, Kafka's defaults.
#include <cstddef>
#include <cstdint>

#include "millrace/client/acks.h"
#include "millrace/client/connection_config.h"
#include "millrace/client/partitioner.h"
#include "millrace/protocol/result.h"

namespace millrace::client {

struct ProducerConfig {
  ConnectionConfig connection;
  // A partition's batch is sent once it holds this many bytes (a single larger record gets a batch alone).
  size_t batch_bytes = 16384;
  // ... or once its first record has waited this long.
  int32_t linger_ms = 5;
  // Records accepted but not yet delivered may take this much memory; send() blocks while it is full.
  size_t buffer_memory_bytes = 32u * 1024 * 1024;
  Acks acks = Acks::all;
  // A record is retried on retriable errors until this long after send(); then it fails with
  // REQUEST_TIMED_OUT. Must be at least linger_ms + connection.request_timeout_ms.
  int32_t delivery_timeout_ms = 120000;
  // Wait between retries of one batch.
  int32_t retry_backoff_ms = 100;
  // Produce requests awaiting a response on one connection. Ordering per partition holds regardless: a
  // partition has at most one batch in flight.
  int32_t max_in_flight_per_connection = 5;
  // send() blocks at most this long for metadata and for buffer memory.
  int32_t max_block_ms = 60000;
  // Upper bound of one produce request; a record that cannot fit fails with MESSAGE_TOO_LARGE.
  size_t max_request_bytes = 1024 * 1024;
  NullKeyPartitioning null_key_partitioning = NullKeyPartitioning::sticky;
};

// Checks every field; the error (client::errc::invalid_config) names the first bad one.
Status validate(const ProducerConfig& config);

}  // namespace millrace::client
