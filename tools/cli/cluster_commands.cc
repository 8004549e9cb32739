#include "cluster_commands.h"

#include <cstdio>
#include <memory>

#include "json_writer.h"
#include "millrace/client/admin.h"
#include "text_table.h"

namespace millrace::cli {

namespace {

int cluster_info(const GlobalOptions& globals, bool as_json) {
  auto admin = client::Admin::create(connection_config(globals));
  if (!admin) return report_error(admin.error());
  auto info = (*admin)->cluster_info();
  if (!info) return report_error(info.error());
  std::string out;
  if (as_json) {
    JsonWriter json;
    json.begin_object()
        .key("cluster_id")
        .value(info->cluster_id)
        .key("controller_id")
        .value(info->controller_id.value);
    json.key("brokers").begin_array();
    for (const auto& b : info->brokers) {
      json.begin_object().key("node_id").value(b.node_id.value).key("host").value(b.address.host);
      json.key("port").value(int64_t{b.address.port}).end_object();
    }
    json.end_array().end_object();
    out = json.str() + "\n";
  } else {
    out = "Cluster: " + info->cluster_id + "\nController: " + std::to_string(info->controller_id.value) +
          "\nBrokers:\n";
    TextTable table({"ID", "HOST", "PORT"});
    for (const auto& b : info->brokers) {
      const bool controller = b.node_id == info->controller_id;
      table.add_row({std::to_string(b.node_id.value) + (controller ? "*" : ""), b.address.host,
                     std::to_string(b.address.port)});
    }
    out += table.render("  ");
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

}  // namespace

void add_cluster_commands(CLI::App& app, const GlobalOptions& globals, CommandRunner& runner) {
  auto as_json = std::make_shared<bool>(false);
  CLI::App* cluster = app.add_subcommand("cluster", "Cluster information");
  CLI::App* info =
      cluster->add_subcommand("info", "Show the cluster id, the controller and every broker's address");
  info->add_flag("--json", *as_json, "Print JSON");
  info->callback([&runner, &globals, as_json] {
    runner = [&globals, as_json] { return cluster_info(globals, *as_json); };
  });
}

}  // namespace millrace::cli
