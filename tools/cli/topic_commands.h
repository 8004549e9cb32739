#pragma once
// `millrace topic create | list | describe | delete`.
#include <CLI/App.hpp>

#include "cli_options.h"

namespace millrace::cli {

void add_topic_commands(CLI::App& app, const GlobalOptions& globals, CommandRunner& runner);

}  // namespace millrace::cli
