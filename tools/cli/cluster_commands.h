#pragma once
// `millrace cluster info` and `millrace partition transfer-leader`.
#include <CLI/App.hpp>

#include "cli_options.h"

namespace millrace::cli {

void add_cluster_commands(CLI::App& app, const GlobalOptions& globals, CommandRunner& runner);

}  // namespace millrace::cli
