#pragma once
// `millrace consume TOPIC`: prints records, one --format rendering each.
#include <CLI/App.hpp>

#include "cli_options.h"

namespace millrace::cli {

void add_consume_command(CLI::App& app, const GlobalOptions& globals, CommandRunner& runner);

}  // namespace millrace::cli
