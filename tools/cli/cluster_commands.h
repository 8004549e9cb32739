#pragma once
// `millrace cluster info`.
#include <CLI/App.hpp>

#include "cli_options.h"

namespace millrace::cli {

void add_cluster_commands(CLI::App& app, const GlobalOptions& globals, CommandRunner& runner);

}  // namespace millrace::cli
