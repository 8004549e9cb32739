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

// Batches of one partition in flight at once with idempotence on: what a broker remembers per producer.
constexpr int32_t kMaxInFlightIdempotent = 5;

struct ProducerConfig {
  ConnectionConfig connection;
  // A partition's batch is sent once it holds this many bytes (a single larger record gets a batch alone).
  size_t batch_bytes = 16384;
  // ... or once its first record has waited this long.
  int32_t linger_ms = 5;
  // Not in Kafka: while a partition's open batch has to wait anyway (a batch of the partition is queued
  // ahead of it, or the partition has as many batches in flight as it may), it keeps taking records up to
  // this size instead of a new batch starting at batch_bytes. When the producer is ahead of the broker,
  // fewer and larger batches then carry the same records: less CPU per record on both sides, and more per
  // group commit under acks=all. It adds no wait. Bounded by max_request_bytes; keep it below the topics'
  // max.message.bytes (a batch refused as too large is split into batches of batch_bytes and sent again).
  // At or below batch_bytes: off (Kafka's behaviour).
  size_t backlog_batch_bytes = 256 * 1024;
  // Records accepted but not yet delivered may take this much memory; send() blocks while it is full.
  size_t buffer_memory_bytes = 32u * 1024 * 1024;
  Acks acks = Acks::all;
  // A record is retried on retriable errors until this long after send(); then it fails with
  // REQUEST_TIMED_OUT. Must be at least linger_ms + connection.request_timeout_ms.
  int32_t delivery_timeout_ms = 120000;
  // Wait between retries of one batch.
  int32_t retry_backoff_ms = 100;
  // Produce requests awaiting a response on one connection. Ordering per partition holds regardless: with
  // idempotence a partition has up to this many batches in flight (at most kMaxInFlightIdempotent) and the
  // broker refuses any that arrive out of sequence; without it, one request, which carries all the batches
  // queued for the partition.
  int32_t max_in_flight_per_connection = 5;
  // Idempotence (Kafka's enable.idempotence, on by default): the producer gets a producer id from the
  // broker and stamps every batch with it and a per-partition sequence number, so a retried batch the broker
  // already has is not written twice and batches are never reordered. Requires acks=all and
  // max_in_flight_per_connection <= kMaxInFlightIdempotent (validate() refuses other settings). Off: at most
  // one request per partition in flight (with all its queued batches), retries may duplicate records
  // (docs/client.md).
  bool enable_idempotence = true;
  // send() blocks at most this long for metadata and for buffer memory.
  int32_t max_block_ms = 60000;
  // Upper bound of one produce request; a record that cannot fit fails with MESSAGE_TOO_LARGE.
  size_t max_request_bytes = 1024 * 1024;
  NullKeyPartitioning null_key_partitioning = NullKeyPartitioning::sticky;
};

// Checks every field; the error (client::errc::invalid_config) names the first bad one.
Status validate(const ProducerConfig& config);

}  // namespace millrace::client
