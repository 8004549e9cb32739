#pragma once
// The options `millrace bench produce`, `consume` and `e2e` share, their CLI registration, and the client
// configs built from them.
#include <CLI/App.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

#include "cli_options.h"
#include "millrace/client/consumer_config.h"
#include "millrace/client/producer_config.h"
#include "rate_schedule.h"

namespace millrace::cli {

struct BenchProducerOptions {
  std::string acks = "1";
  size_t batch_bytes = 16384;
  size_t backlog_batch_bytes = client::ProducerConfig{}.backlog_batch_bytes;
  int32_t linger_ms = 5;
  int32_t max_in_flight = 5;
  std::string partitioner = "sticky";  // sticky or round-robin (for records without key, which bench sends)
};

struct BenchConsumerOptions {
  int32_t max_poll_records = 10000;
  int32_t fetch_max_wait_ms = 100;
  int32_t fetch_max_bytes = client::ConsumerConfig{}.fetch_max_bytes;
  int32_t max_partition_fetch_bytes = client::ConsumerConfig{}.max_partition_fetch_bytes;
  int32_t fetch_connections = client::ConsumerConfig{}.fetch_connections;
};

// The topic the run uses: created with `partitions` partitions (replication factor
// `replication_factor`, 0: the broker's) if it does not exist; an existing topic must have `partitions`
// partitions unless `partitions` is 0.
struct BenchTopicOptions {
  std::string topic;
  int32_t partitions = 0;
  int32_t replication_factor = 0;
};

void add_producer_options(CLI::App& command, BenchProducerOptions& options);
void add_consumer_options(CLI::App& command, BenchConsumerOptions& options);
void add_topic_options(CLI::App& command, BenchTopicOptions& options);
void add_pace_step_option(CLI::App& command, int64_t& pace_step_us);

Result<client::ProducerConfig> producer_config(const GlobalOptions& globals,
                                               const BenchProducerOptions& options);
client::ConsumerConfig consumer_config(const GlobalOptions& globals, const BenchConsumerOptions& options);

// Creates the topic if it is missing; returns its partition count. Errors: the broker's, or
// INVALID_PARTITIONS when an existing topic has another partition count than asked for.
Result<int32_t> prepare_topic(const GlobalOptions& globals, const BenchTopicOptions& options);

}  // namespace millrace::cli
