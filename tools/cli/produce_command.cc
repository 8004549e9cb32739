#include "produce_command.h"

#include <atomic>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "input_parsing.h"
#include "millrace/client/admin.h"
#include "millrace/client/producer.h"
#include "millrace/protocol/errc.h"
#include "validators.h"

namespace millrace::cli {

namespace {

struct ProduceOptions {
  std::string topic;
  std::string acks = "all";
  std::string key_separator;
  std::optional<int32_t> partition;
};

// Counts delivery outcomes from the producer's I/O thread.
class DeliveryTally {
 public:
  void record(const client::DeliveryReport& report) {
    if (report.ok()) {
      delivered_.fetch_add(1);
      return;
    }
    failed(*report.error);
  }
  void failed(const Error& error) {
    failed_.fetch_add(1);
    std::lock_guard lock(mutex_);
    if (!first_error_) first_error_ = error;
  }
  uint64_t failed_count() const { return failed_.load(); }
  Error first_error() const {
    std::lock_guard lock(mutex_);
    return *first_error_;
  }

 private:
  std::atomic<uint64_t> delivered_{0};
  std::atomic<uint64_t> failed_{0};
  mutable std::mutex mutex_;
  std::optional<Error> first_error_;
};

int produce(const GlobalOptions& globals, const ProduceOptions& options) {
  auto acks = client::parse_acks(options.acks);
  if (!acks) return report_error(acks.error(), kExitUsage);
  // Check the topic (and partition) up front: a clear error at once instead of a blocked first send.
  auto admin = client::Admin::create(connection_config(globals));
  if (!admin) return report_error(admin.error());
  auto topic = (*admin)->describe_topic(options.topic);
  if (!topic) return report_error(topic.error());
  const auto partition_count = static_cast<int32_t>(topic->partitions.size());
  if (options.partition && (*options.partition < 0 || *options.partition >= partition_count)) {
    return report_error(make_error(protocol::errc::unknown_topic_or_partition,
                                   "partition " + std::to_string(*options.partition) + " of topic '" +
                                       options.topic + "' does not exist (it has " +
                                       std::to_string(partition_count) + ")"));
  }
  admin->reset();

  client::ProducerConfig config;
  config.connection = connection_config(globals);
  config.acks = *acks;
  config.enable_idempotence = config.acks == client::Acks::all;  // idempotence needs acks=all
  auto producer = client::Producer::create(config);
  if (!producer) return report_error(producer.error());

  DeliveryTally tally;
  uint64_t total = 0;
  std::string line;
  while (std::getline(std::cin, line)) {
    InputRecord input = split_input_line(line, options.key_separator);
    client::ProducerRecord record;
    record.topic = options.topic;
    if (options.partition) record.partition = PartitionId{*options.partition};
    record.key = std::move(input.key);
    record.value = std::move(input.value);
    ++total;
    auto st =
        (*producer)->send(std::move(record), [&tally](const client::DeliveryReport& r) { tally.record(r); });
    if (!st) tally.failed(st.error());
  }
  (*producer)->close();
  if (tally.failed_count() > 0) {
    return report_error(std::to_string(tally.failed_count()) + " of " + std::to_string(total) +
                        " records failed; first error: " + tally.first_error().to_string());
  }
  return kExitOk;
}

}  // namespace

void add_produce_command(CLI::App& app, const GlobalOptions& globals, CommandRunner& runner) {
  auto options = std::make_shared<ProduceOptions>();
  CLI::App* produce_app = app.add_subcommand("produce", "Produce one record per line of standard input");
  produce_app->add_option("topic", options->topic, "Topic to produce to")->required();
  produce_app
      ->add_option("-a,--acks", options->acks,
                   "0, 1 or all: replicas that must have a record before it counts as delivered")
      ->default_str("all")
      ->check(CLI::IsMember({"0", "1", "all", "-1"}));
  produce_app->add_option("-K,--key-separator", options->key_separator,
                          "Split each line at the first SEP: the part before is the key");
  produce_app->add_option("-p,--partition", options->partition, "Send every record to this partition")
      ->check(at_least(0));
  produce_app->callback(
      [&runner, &globals, options] { runner = [&globals, options] { return produce(globals, *options); }; });
}

}  // namespace millrace::cli
