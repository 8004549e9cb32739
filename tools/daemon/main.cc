// millraced: the Millrace broker daemon. With no arguments it serves node 0 from ./data on port 9192.
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <CLI/CLI.hpp>

#include <cstdio>

#include "millrace/broker/broker.h"
#include "millrace/broker/config_loader.h"

namespace {

// Partitions keep their segment files open: let the broker use every descriptor the system allows it.
void raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  limit.rlim_cur = limit.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) spdlog::warn("could not raise the open file limit");
}

int fail(const std::string& message) {
  std::fprintf(stderr, "millraced: error: %s\n", message.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace millrace::broker;
  CLI::App app{"millraced: the Millrace broker daemon"};
  std::string config_path;
  std::string node_id, data_dir, listen, advertise, peers, rack;
  std::vector<std::string> overrides;
  app.add_option("--config", config_path, "YAML config file (see config/millrace.yaml)");
  app.add_option("--node-id", node_id, "node id (config key node_id)");
  app.add_option("--data-dir", data_dir, "data directory (config key data_dir)");
  app.add_option("--listen", listen, "HOST:PORT for the native protocol (config key listen)");
  app.add_option("--advertise", advertise, "HOST:PORT clients should use (config key advertise)");
  app.add_option("--peers", peers,
                 "ID@HOST:PORT,... the initial controller voters; a node not among them joins as a broker "
                 "(config key peers)");
  app.add_option("--rack", rack, "this broker's rack, for rack-aware replica placement (config key rack)");
  app.add_option("--set", overrides, "KEY=VALUE for any config key; repeatable");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return fail(e.what());
  }

  BrokerConfig config;
  if (!config_path.empty()) {
    auto loaded = load_config_file(config_path);
    if (!loaded) return fail(loaded.error().message);
    config = std::move(*loaded);
  }
  std::vector<std::pair<std::string, std::string>> flags;
  if (!node_id.empty()) flags.emplace_back("node_id", node_id);
  if (!data_dir.empty()) flags.emplace_back("data_dir", data_dir);
  if (!listen.empty()) flags.emplace_back("listen", listen);
  if (!advertise.empty()) flags.emplace_back("advertise", advertise);
  if (!peers.empty()) flags.emplace_back("peers", peers);
  if (!rack.empty()) flags.emplace_back("rack", rack);
  for (const auto& o : overrides) {
    const auto eq = o.find('=');
    if (eq == std::string::npos) return fail("--set takes KEY=VALUE (got '" + o + "')");
    flags.emplace_back(o.substr(0, eq), o.substr(eq + 1));
  }
  for (const auto& [key, value] : flags) {
    if (auto st = set_config_value(config, key, value); !st) return fail(st.error().message);
  }
  if (auto st = validate_config(config); !st) return fail(st.error().message);

  spdlog::set_level(spdlog::level::from_str(config.log_level));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");

  raise_open_file_limit();
  Broker broker(config);
  if (auto st = broker.start(); !st) return fail(st.error().message);
  return broker.run();
}
