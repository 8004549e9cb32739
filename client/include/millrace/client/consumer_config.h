#pragma once
// ConsumerConfig: every knob of Consumer, with Kafka's names and defaults.
#include <cstdint>

#include "millrace/client/connection_config.h"
#include "millrace/protocol/result.h"

namespace millrace::client {

// Where a partition starts when it has no position yet, or when its position is out of range
// (Kafka's auto.offset.reset).
enum class OffsetReset {
  earliest,  // the log start offset
  latest,    // the log end offset: only records produced from now on
  none,      // poll() fails with OFFSET_OUT_OF_RANGE (or the partition must be seek()ed first)
};

struct ConsumerConfig {
  ConnectionConfig connection;
  OffsetReset auto_offset_reset = OffsetReset::latest;
  // A fetch waits on the broker (long poll) until fetch_min_bytes are there or this long has passed.
  int32_t fetch_max_wait_ms = 500;
  int32_t fetch_min_bytes = 1;
  // Upper bound of one fetch response, and of one partition's part of it. The broker returns at least one
  // whole batch even if it is larger, so these never stall a consumer. The consumer fetches ahead, so it
  // holds up to two responses' worth per partition (one being handed out, one waiting).
  int32_t fetch_max_bytes = 50 * 1024 * 1024;
  int32_t max_partition_fetch_bytes = 1024 * 1024;
  // poll() returns at most this many records.
  int32_t max_poll_records = 500;
  // Wait before retrying a partition after a retriable error (leader moved, broker unreachable).
  int32_t retry_backoff_ms = 100;
  // Not in Kafka: fetches to one broker are spread over this many connections, each with its own I/O thread
  // (the partitions of an assignment take them in turn). Reading a large response, checking its CRCs and
  // decoding its records is what limits a consumer reading a backlog from a fast broker; when more than one
  // connection is in use, the thread that reads a response does all three, so the work runs on several
  // cores. The cost: a thread and a connection per broker more. Other requests (metadata, offsets) use the
  // first connection.
  int32_t fetch_connections = 2;
};

// fetch_connections may not exceed this.
constexpr int32_t kMaxFetchConnections = 8;

// Checks every field; the error (client::errc::invalid_config) names the first bad one.
Status validate(const ConsumerConfig& config);

}  // namespace millrace::client
