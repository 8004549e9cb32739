#pragma once
// What every command shares: the global options, exit codes, and how errors are reported.
//
// Every failure prints exactly one line on stderr, "millrace: error: <KAFKA_ERROR_NAME>: <description>
// (<detail>)", and the command exits non-zero: kExitFailure for errors at run time, kExitUsage for bad
// command lines.
#include <functional>
#include <string>

#include "millrace/client/connection_config.h"
#include "millrace/protocol/result.h"

namespace millrace::cli {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

struct GlobalOptions {
  std::string bootstrap;  // --bootstrap, else $MILLRACE_BOOTSTRAP, else localhost:9192
};

// Set by the chosen subcommand's callback, run after parsing.
using CommandRunner = std::function<int()>;

client::ConnectionConfig connection_config(const GlobalOptions& globals);

// Prints the one error line; returns `exit_code`.
int report_error(const Error& error, int exit_code = kExitFailure);
int report_error(const std::string& message, int exit_code = kExitFailure);

}  // namespace millrace::cli
