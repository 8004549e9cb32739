#pragma once
// `millrace bench produce | consume | e2e`: load generators that print throughput and latency (text, or one
// JSON object with --json). They measure; they never judge. See docs/performance.md.
#include <CLI/App.hpp>

#include "cli_options.h"

namespace millrace::cli {

void add_bench_commands(CLI::App& app, const GlobalOptions& globals, CommandRunner& runner);

}  // namespace millrace::cli
