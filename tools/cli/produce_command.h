#pragma once
// `millrace produce TOPIC`: one record per stdin line. Exit 0 only if every record was acknowledged.
#include <CLI/App.hpp>

#include "cli_options.h"

namespace millrace::cli {

void add_produce_command(CLI::App& app, const GlobalOptions& globals, CommandRunner& runner);

}  // namespace millrace::cli
