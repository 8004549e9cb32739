#include "bench_options.h"

#include "millrace/client/admin.h"
#include "millrace/client/errc.h"
#include "millrace/protocol/errc.h"
#include "validators.h"

namespace millrace::cli {

void add_producer_options(CLI::App& command, BenchProducerOptions& options) {
  command.add_option("-a,--acks", options.acks, "0, 1 or all")
      ->default_str("1")
      ->check(CLI::IsMember({"0", "1", "all", "-1"}));
  command.add_option("--batch-bytes", options.batch_bytes, "Producer batch size per partition (bytes)")
      ->default_str("16384")
      ->check(at_least(62));
  command
      .add_option("--backlog-batch-bytes", options.backlog_batch_bytes,
                  "How far a batch that has to wait anyway may grow (bytes; at most --batch-bytes: off)")
      ->default_str(std::to_string(options.backlog_batch_bytes));
  command.add_option("--linger-ms", options.linger_ms, "How long a batch waits to fill")
      ->default_str(std::to_string(options.linger_ms))
      ->check(at_least(0));
  command.add_option("--max-in-flight", options.max_in_flight, "Produce requests in flight per broker")
      ->default_str("5")
      ->check(at_least(1));
  command.add_option("--partitioner", options.partitioner, "sticky or round-robin")
      ->default_str("sticky")
      ->check(CLI::IsMember({"sticky", "round-robin"}));
}

void add_consumer_options(CLI::App& command, BenchConsumerOptions& options) {
  command.add_option("--max-poll-records", options.max_poll_records, "Records per poll()")
      ->default_str("10000")
      ->check(at_least(1));
  command.add_option("--fetch-max-wait-ms", options.fetch_max_wait_ms, "Long-poll wait of a fetch")
      ->default_str("100")
      ->check(at_least(0));
  command.add_option("--fetch-max-bytes", options.fetch_max_bytes, "Upper bound of one fetch response")
      ->default_str(std::to_string(options.fetch_max_bytes))
      ->check(at_least(1));
  command
      .add_option("--max-partition-fetch-bytes", options.max_partition_fetch_bytes,
                  "Upper bound of one partition's part of a fetch response")
      ->default_str(std::to_string(options.max_partition_fetch_bytes))
      ->check(at_least(1));
  command
      .add_option("--fetch-connections", options.fetch_connections,
                  "Connections (and I/O threads) per broker that fetches are spread over")
      ->default_str(std::to_string(options.fetch_connections))
      ->check(CLI::Range(1, client::kMaxFetchConnections));
}

void add_pace_step_option(CLI::App& command, int64_t& pace_step_us) {
  command
      .add_option(
          "--pace-step-us", pace_step_us,
          "With a rate: when ahead, wake this long after the next message is due and send all that is "
          "due by then (the wait counts in the latency; 0: one sleep per message)")
      ->default_str(std::to_string(kDefaultPaceStepUs))
      ->check(at_least(0));
}

void add_topic_options(CLI::App& command, BenchTopicOptions& options) {
  command.add_option("-t,--topic", options.topic, "Topic (created if missing)")->required();
  command
      .add_option("-p,--partitions", options.partitions,
                  "Partitions of the topic (created with this many; default 1)")
      ->check(at_least(1));
  command
      .add_option("-r,--replication-factor", options.replication_factor,
                  "Replication factor when the topic is created (default: the broker's)")
      ->check(at_least(0));
}

Result<client::ProducerConfig> producer_config(const GlobalOptions& globals,
                                               const BenchProducerOptions& options) {
  auto acks = client::parse_acks(options.acks);
  if (!acks) return std::move(acks).error();
  client::ProducerConfig config;
  config.connection = connection_config(globals);
  config.acks = *acks;
  config.batch_bytes = options.batch_bytes;
  config.backlog_batch_bytes = options.backlog_batch_bytes;
  config.linger_ms = options.linger_ms;
  config.max_in_flight_per_connection = options.max_in_flight;
  // Idempotence is the library's default where it can hold (as Kafka's default gives way to a conflicting
  // acks or in-flight setting): acks=all and at most kMaxInFlightIdempotent requests in flight.
  config.enable_idempotence =
      config.acks == client::Acks::all && options.max_in_flight <= client::kMaxInFlightIdempotent;
  config.null_key_partitioning = options.partitioner == "round-robin"
                                     ? client::NullKeyPartitioning::round_robin
                                     : client::NullKeyPartitioning::sticky;
  if (config.buffer_memory_bytes < config.batch_bytes) config.buffer_memory_bytes = config.batch_bytes;
  if (auto st = client::validate(config); !st) return std::move(st).error();
  return config;
}

client::ConsumerConfig consumer_config(const GlobalOptions& globals, const BenchConsumerOptions& options) {
  client::ConsumerConfig config;
  config.connection = connection_config(globals);
  config.auto_offset_reset = client::OffsetReset::earliest;
  config.max_poll_records = options.max_poll_records;
  config.fetch_max_wait_ms = options.fetch_max_wait_ms;
  config.fetch_max_bytes = options.fetch_max_bytes;
  config.max_partition_fetch_bytes = options.max_partition_fetch_bytes;
  config.fetch_connections = options.fetch_connections;
  return config;
}

Result<int32_t> prepare_topic(const GlobalOptions& globals, const BenchTopicOptions& options) {
  auto admin = client::Admin::create(connection_config(globals));
  if (!admin) return std::move(admin).error();
  auto described = (*admin)->describe_topic(options.topic);
  if (!described) {
    if (described.error().code != protocol::errc::unknown_topic_or_partition)
      return std::move(described).error();
    client::NewTopic topic;
    topic.name = options.topic;
    topic.partitions = options.partitions > 0 ? options.partitions : 1;
    topic.replication_factor = options.replication_factor;
    if (auto st = (*admin)->create_topic(topic); !st) return std::move(st).error();
    return topic.partitions;
  }
  const auto count = static_cast<int32_t>(described->partitions.size());
  if (options.partitions > 0 && options.partitions != count) {
    return make_error(protocol::errc::invalid_partitions, "topic '" + options.topic + "' exists with " +
                                                              std::to_string(count) + " partitions, not " +
                                                              std::to_string(options.partitions) +
                                                              " (delete it or use another --topic)");
  }
  return count;
}

}  // namespace millrace::cli
