// millrace-sim: runs a Raft group in a seeded, deterministic simulation and checks Raft's invariants after
// every event. Exit status 0 when every check held; 1 with the seed and the first violation otherwise.
//
//   millrace-sim --seed 42 --nodes 5 --steps 50000     one run, with a summary
//   millrace-sim --seed 1 --seeds 1000                 a sweep of seeds 1..1000, one line per failure
#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <csignal>
#include <cstdio>

#include <CLI/CLI.hpp>

#include "simulation.h"

using millrace::sim::SimOptions;
using millrace::sim::SimResult;
using millrace::sim::Simulation;

namespace {

// The seed being run, for the report when an assertion in the Raft core aborts the process.
volatile uint64_t current_seed = 0;

void on_abort(int) {
  char line[96];
  const int length = std::snprintf(line, sizeof(line), "ABORT seed=%" PRIu64 ": an assertion failed\n",
                                   static_cast<uint64_t>(current_seed));
  if (length > 0) (void)!::write(STDOUT_FILENO, line, static_cast<size_t>(length));
  std::signal(SIGABRT, SIG_DFL);
  std::raise(SIGABRT);
}

void print_failure(const SimOptions& options, const SimResult& result) {
  std::printf("FAIL seed=%" PRIu64 " nodes=%d steps=%" PRId64 ": at step %" PRId64 ", t=%.3f s: %s\n",
              options.seed, options.nodes, options.steps, result.violation_step,
              double(result.violation_time_ms) / 1000, result.violation.c_str());
}

int run_one(const SimOptions& options) {
  current_seed = options.seed;
  std::printf("millrace-sim seed=%" PRIu64 " nodes=%d steps=%" PRId64 "%s\n", options.seed, options.nodes,
              options.steps, options.faults ? "" : " (no faults)");
  std::fflush(stdout);
  const SimResult result = Simulation(options).run();
  if (!result.ok) {
    print_failure(options, result);
    return 1;
  }
  std::printf("%s  trace hash %016" PRIx64 "\nOK\n", result.summary.c_str(), result.trace_hash);
  return 0;
}

int sweep(SimOptions options, int64_t count) {
  const auto started = std::chrono::steady_clock::now();
  const uint64_t first = options.seed;
  int64_t failures = 0;
  for (int64_t i = 0; i < count; ++i) {
    options.seed = first + static_cast<uint64_t>(i);
    current_seed = options.seed;
    const SimResult result = Simulation(options).run();
    if (!result.ok) {
      print_failure(options, result);
      ++failures;
    }
    std::fflush(stdout);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("swept seeds %" PRIu64 "..%" PRIu64 " (nodes=%d steps=%" PRId64 "): %" PRId64
              " failed, %.1f s, %.1f seeds/s\n",
              first, first + static_cast<uint64_t>(count) - 1, options.nodes, options.steps, failures,
              seconds, double(count) / seconds);
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Millrace Raft simulator: a seeded, deterministic cluster with faults and invariant checks"};
  SimOptions options;
  int64_t seeds = 0;
  bool no_faults = false;
  app.add_option("--seed", options.seed, "PRNG seed (the first one with --seeds)");
  app.add_option("--nodes", options.nodes, "replicas in the group")
      ->check(CLI::Range(1, millrace::sim::kMaxNodes));
  app.add_option("--steps", options.steps, "events in the safety phase")->check(CLI::PositiveNumber);
  app.add_option("--seeds", seeds, "sweep this many consecutive seeds, printing only failures")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--drop", options.drop_probability, "background message loss probability")
      ->check(CLI::Range(0.0, 0.9));
  app.add_option("--duplicate", options.duplicate_probability, "message duplication probability")
      ->check(CLI::Range(0.0, 0.9));
  app.add_flag("--no-faults", no_faults, "no partitions, crashes, slow disks or membership changes");
  app.add_flag("--trace", options.trace, "print faults and leadership changes as they happen");
  CLI11_PARSE(app, argc, argv);
  options.faults = !no_faults;
  std::signal(SIGABRT, on_abort);
  return seeds > 0 ? sweep(options, seeds) : run_one(options);
}
