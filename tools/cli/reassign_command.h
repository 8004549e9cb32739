#pragma once
// `millrace partition reassign TOPIC PARTITION --replicas a,b,c [--wait]`.
#include <CLI/App.hpp>

#include "cli_options.h"

namespace millrace::cli {

void add_reassign_command(CLI::App& partition, const GlobalOptions& globals, CommandRunner& runner);

}  // namespace millrace::cli
