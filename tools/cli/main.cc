// millrace: the Millrace command-line tool. Each command group lives in its own file; docs/cli.md
// documents every command with an example.
#include <CLI/App.hpp>
#include <CLI/Config.hpp>
#include <CLI/Formatter.hpp>
#include <cstdlib>
#include <iostream>
#include <string>

#include "bench_command.h"
#include "cli_options.h"
#include "cluster_commands.h"
#include "consume_command.h"
#include "millrace/client/broker_address.h"
#include "produce_command.h"
#include "topic_commands.h"

int main(int argc, char** argv) {
  using namespace millrace::cli;
  // produce reads stdin line by line: unsynchronised streams read in blocks instead of a getc per byte.
  std::ios_base::sync_with_stdio(false);
  GlobalOptions globals;
  globals.bootstrap = std::string(millrace::client::kDefaultBootstrap);
  if (const char* env = std::getenv(millrace::client::kBootstrapEnvironmentVariable);
      env != nullptr && *env != '\0') {
    globals.bootstrap = env;
  }

  CLI::App app{"millrace: administer a Millrace cluster, produce and consume records"};
  app.name("millrace");
  app.add_option("-B,--bootstrap", globals.bootstrap,
                 "Brokers to contact first, host:port[,host:port...] (default: $MILLRACE_BOOTSTRAP, else "
                 "localhost:9192)");

  CommandRunner runner;
  add_topic_commands(app, globals, runner);
  add_cluster_commands(app, globals, runner);
  add_produce_command(app, globals, runner);
  add_consume_command(app, globals, runner);
  add_bench_commands(app, globals, runner);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return report_error(std::string(e.what()) + " (run with --help for usage)", kExitUsage);
  }
  if (!runner) {  // a command group without its command, e.g. `millrace topic`
    const CLI::App* level = &app;
    std::string path = "millrace";
    while (!level->get_subcommands().empty()) {
      level = level->get_subcommands().front();
      path += " " + level->get_name();
    }
    std::string choices;
    for (const CLI::App* sub : level->get_subcommands({}))
      choices += (choices.empty() ? "" : ", ") + sub->get_name();
    return report_error("'" + path + "' needs a command: " + choices + " (run with --help for usage)",
                        kExitUsage);
  }
  try {
    return runner();
  } catch (const std::exception& e) {  // nothing should throw; if something does, still one line and non-zero
    return report_error(std::string("unexpected failure: ") + e.what());
  }
}
