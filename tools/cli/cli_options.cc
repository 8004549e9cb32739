#include "cli_options.h"

#include <cstdio>

namespace millrace::cli {

client::ConnectionConfig connection_config(const GlobalOptions& globals) {
  client::ConnectionConfig config;
  config.bootstrap = globals.bootstrap;
  return config;
}

int report_error(const Error& error, int exit_code) {
  return report_error(error.to_string(), exit_code);
}

int report_error(const std::string& message, int exit_code) {
  std::string line = message;  // one line, whatever the broker's message holds
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  std::fflush(stdout);
  std::fprintf(stderr, "millrace: error: %s\n", line.c_str());
  return exit_code;
}

}  // namespace millrace::cli
