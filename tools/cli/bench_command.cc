#include "bench_command.h"

#include <memory>

#include "bench_consume.h"
#include "bench_e2e.h"
#include "bench_produce.h"
#include "validators.h"

namespace millrace::cli {

namespace {

void add_produce(CLI::App& bench, const GlobalOptions& globals, CommandRunner& runner) {
  auto options = std::make_shared<ProduceBenchOptions>();
  CLI::App* command = bench.add_subcommand("produce", "Produce as fast as possible (or at --rate)");
  add_topic_options(*command, options->topic);
  command->add_option("-n,--messages", options->messages, "Messages to send")
      ->default_str("1000000")
      ->check(at_least(1));
  command->add_option("-s,--size", options->size_bytes, "Value size in bytes")
      ->default_str("1024")
      ->check(at_least(0));
  add_producer_options(*command, options->producer);
  command->add_option("--producers", options->producers, "Producers, each with its own connection and thread")
      ->default_str("1")
      ->check(at_least(1));
  command
      ->add_option("--rate", options->rate,
                   "Messages per second over all producers; latency is then measured from each message's "
                   "intended send time (default: unpaced)")
      ->check(CLI::NonNegativeNumber);
  add_pace_step_option(*command, options->pace_step_us);
  command
      ->add_option(
          "--max-seconds", options->max_seconds,
          "Stop sending after this many seconds; the numbers cover what was sent (default: no limit)")
      ->check(CLI::NonNegativeNumber);
  command->add_flag("--json", options->json, "Print one JSON object");
  command->callback([&runner, &globals, options] {
    runner = [&globals, options] { return run_produce_bench(globals, *options); };
  });
}

void add_consume(CLI::App& bench, const GlobalOptions& globals, CommandRunner& runner) {
  auto options = std::make_shared<ConsumeBenchOptions>();
  CLI::App* command = bench.add_subcommand(
      "consume", "Read a topic from the beginning as fast as possible (record views: Consumer::poll_views)");
  command->add_option("-t,--topic", options->topic, "Topic to read")->required();
  command
      ->add_option("-n,--messages", options->messages,
                   "Messages to read (default: all the topic holds when the run starts)")
      ->check(at_least(1));
  command
      ->add_option("--idle-timeout-ms", options->idle_timeout_ms, "Give up after this long without records")
      ->default_str("5000")
      ->check(at_least(1));
  add_consumer_options(*command, options->consumer);
  command->add_flag("--json", options->json, "Print one JSON object");
  command->callback([&runner, &globals, options] {
    runner = [&globals, options] { return run_consume_bench(globals, *options); };
  });
}

void add_e2e(CLI::App& bench, const GlobalOptions& globals, CommandRunner& runner) {
  auto options = std::make_shared<E2eBenchOptions>();
  options->producer.linger_ms = 0;  // a latency test: send each batch as soon as the sender is free
  CLI::App* command = bench.add_subcommand(
      "e2e", "Produce at a fixed rate and consume in the same process: end-to-end latency");
  add_topic_options(*command, options->topic);
  command->add_option("-n,--messages", options->messages, "Messages to send")
      ->default_str("100000")
      ->check(at_least(1));
  command->add_option("-s,--size", options->size_bytes, "Value size in bytes (at least 16)")
      ->default_str("1024")
      ->check(at_least(16));
  command->add_option("--rate", options->rate, "Messages per second")->required()->check(CLI::PositiveNumber);
  add_pace_step_option(*command, options->pace_step_us);
  add_producer_options(*command, options->producer);
  add_consumer_options(*command, options->consumer);
  command
      ->add_option("--idle-timeout-ms", options->idle_timeout_ms, "Give up after this long without records")
      ->default_str("5000")
      ->check(at_least(1));
  command
      ->add_option("--max-seconds", options->max_seconds,
                   "Stop sending after this many seconds (default: no limit)")
      ->check(CLI::NonNegativeNumber);
  command->add_flag("--json", options->json, "Print one JSON object");
  command->callback([&runner, &globals, options] {
    runner = [&globals, options] { return run_e2e_bench(globals, *options); };
  });
}

}  // namespace

void add_bench_commands(CLI::App& app, const GlobalOptions& globals, CommandRunner& runner) {
  CLI::App* bench =
      app.add_subcommand("bench", "Benchmarks: throughput and latency (numbers, never verdicts)");
  add_produce(*bench, globals, runner);
  add_consume(*bench, globals, runner);
  add_e2e(*bench, globals, runner);
}

}  // namespace millrace::cli
