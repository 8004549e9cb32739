#include "consume_command.h"

#include "input_parsing.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>

#include "millrace/client/admin.h"
#include "millrace/client/consumer.h"
#include "millrace/protocol/errc.h"
#include "record_formatter.h"
#include "validators.h"

namespace millrace::cli {

namespace {

// The longest a single poll waits, so that Ctrl-C and --timeout-ms are noticed promptly.
constexpr auto kPollSlice = std::chrono::milliseconds(200);

std::atomic<bool> g_stop_requested{false};

extern "C" void on_stop_signal(int) {
  g_stop_requested.store(true);
}

struct ConsumeOptions {
  std::string topic;
  bool from_beginning = false;
  std::optional<int32_t> partition;
  std::optional<int64_t> offset;
  std::optional<std::string> from_time;
  std::optional<uint64_t> max_messages;
  std::optional<int64_t> timeout_ms;
  std::string format{RecordFormatter::kDefaultFormat};
};

// Assigns the partitions and sets where each starts.
Status position_consumer(client::Consumer& consumer, const ConsumeOptions& options,
                         const client::ConnectionConfig& connection) {
  if (auto st = consumer.assign_topic(options.topic); !st) return st;  // also checks that the topic exists
  if (options.from_time) {
    auto timestamp = parse_timestamp_ms(*options.from_time);
    if (!timestamp) return std::move(timestamp).error();
    auto admin = client::Admin::create(connection);
    if (!admin) return std::move(admin).error();
    auto offsets = (*admin)->list_offsets_for_timestamp(options.topic, *timestamp);
    if (!offsets) return std::move(offsets).error();
    if (options.partition) {
      const client::TopicPartition tp{options.topic, PartitionId{*options.partition}};
      auto it = offsets->find(tp);
      if (it == offsets->end()) {
        return make_error(protocol::errc::unknown_topic_or_partition,
                          "partition " + std::to_string(*options.partition) + " of topic '" + options.topic +
                              "' does not exist");
      }
      if (auto st = consumer.assign({tp}); !st) return st;
      return consumer.seek(tp, it->second);
    }
    for (const auto& [tp, offset] : *offsets) {
      if (auto st = consumer.seek(tp, offset); !st) return st;
    }
    return {};
  }
  if (!options.partition) return {};  // auto_offset_reset picks earliest or latest
  const client::TopicPartition tp{options.topic, PartitionId{*options.partition}};
  const auto all = consumer.assignment();
  if (std::find(all.begin(), all.end(), tp) == all.end()) {
    return make_error(protocol::errc::unknown_topic_or_partition,
                      "partition " + std::to_string(*options.partition) + " of topic '" + options.topic +
                          "' does not exist (it has " + std::to_string(all.size()) + ")");
  }
  if (auto st = consumer.assign({tp}); !st) return st;
  if (options.offset) return consumer.seek(tp, Offset{*options.offset});
  return {};
}

int consume(const GlobalOptions& globals, const ConsumeOptions& options) {
  auto formatter = RecordFormatter::parse(options.format);
  if (!formatter) return report_error(formatter.error(), kExitUsage);
  client::ConsumerConfig config;
  config.connection = connection_config(globals);
  // An explicit --offset outside the log is an error, not something to silently skip.
  config.auto_offset_reset = options.offset || options.from_time ? client::OffsetReset::none
                             : options.from_beginning            ? client::OffsetReset::earliest
                                                                 : client::OffsetReset::latest;
  auto consumer = client::Consumer::create(config);
  if (!consumer) return report_error(consumer.error());
  if (auto st = position_consumer(**consumer, options, config.connection); !st)
    return report_error(st.error());

  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  uint64_t printed = 0;
  auto last_message = std::chrono::steady_clock::now();
  std::string out;
  while (!g_stop_requested.load()) {
    auto slice = kPollSlice;
    if (options.timeout_ms) {
      const auto idle_deadline = last_message + std::chrono::milliseconds(*options.timeout_ms);
      const auto now = std::chrono::steady_clock::now();
      if (now >= idle_deadline) break;
      slice = std::min(slice, std::chrono::ceil<std::chrono::milliseconds>(idle_deadline - now));
    }
    auto records = (*consumer)->poll(slice);
    if (!records) return report_error(records.error());
    if (records->empty()) continue;
    last_message = std::chrono::steady_clock::now();
    out.clear();
    for (const auto& record : *records) {
      formatter->render(record, out);
      if (options.max_messages && ++printed >= *options.max_messages) break;
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
    if (options.max_messages && printed >= *options.max_messages) break;
  }
  std::fflush(stdout);
  return kExitOk;
}

}  // namespace

void add_consume_command(CLI::App& app, const GlobalOptions& globals, CommandRunner& runner) {
  auto options = std::make_shared<ConsumeOptions>();
  CLI::App* consume_app = app.add_subcommand(
      "consume", "Print records of a topic, one per line; starts at the end unless told otherwise");
  consume_app->add_option("topic", options->topic, "Topic to consume")->required();
  auto* beginning = consume_app->add_flag("-b,--from-beginning", options->from_beginning,
                                          "Start at the beginning of every partition");
  auto* partition =
      consume_app->add_option("-p,--partition", options->partition, "Consume only this partition")
          ->check(at_least(0));
  consume_app->add_option("-o,--offset", options->offset, "Start at this offset (needs --partition)")
      ->check(at_least(0))
      ->needs(partition)
      ->excludes(beginning);
  consume_app
      ->add_option("--from-time", options->from_time,
                   "Start at the first record at or after this time: ms since the epoch or ISO-8601 "
                   "(2026-11-21T08:00:00Z)")
      ->excludes(beginning);
  consume_app->add_option("-n,--max-messages", options->max_messages, "Exit after printing this many records")
      ->check(at_least(1));
  consume_app
      ->add_option("-t,--timeout-ms", options->timeout_ms,
                   "Exit when no record arrives for this long (default: wait until interrupted)")
      ->check(at_least(0));
  consume_app
      ->add_option("-f,--format", options->format,
                   "Output format: %t topic, %p partition, %o offset, %k key, %v value, %T timestamp, "
                   "%% a percent sign, \\n newline, \\t tab")
      ->default_str("%v\\n");
  consume_app->callback(
      [&runner, &globals, options] { runner = [&globals, options] { return consume(globals, *options); }; });
}

}  // namespace millrace::cli
