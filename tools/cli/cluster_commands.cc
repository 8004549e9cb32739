#include "cluster_commands.h"

#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

#include "json_writer.h"
#include "millrace/client/admin.h"
#include "millrace/protocol/errc.h"
#include "reassign_command.h"
#include "text_table.h"
#include "validators.h"

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
      json.key("port").value(int64_t{b.address.port}).key("rack").value(b.rack);
      json.key("alive").value(b.alive).key("fenced").value(b.fenced).end_object();
    }
    json.end_array().end_object();
    out = json.str() + "\n";
  } else {
    out = "Cluster: " + info->cluster_id + "\nController: " + std::to_string(info->controller_id.value) +
          "\nBrokers:\n";
    TextTable table({"ID", "HOST", "PORT", "RACK", "STATUS"});
    for (const auto& b : info->brokers) {
      const bool controller = b.node_id == info->controller_id;
      const char* status = b.fenced ? "fenced" : b.alive ? "alive" : "not registered";
      table.add_row({std::to_string(b.node_id.value) + (controller ? "*" : ""), b.address.host,
                     std::to_string(b.address.port), b.rack.empty() ? "-" : b.rack, status});
    }
    out += table.render("  ");
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

}  // namespace

struct TransferOptions {
  std::string topic;
  int32_t partition = 0;
  int32_t target = 0;
};

constexpr auto kTransferWait = std::chrono::seconds(10);
constexpr auto kTransferPoll = std::chrono::milliseconds(100);

// Starts the transfer, then waits (up to kTransferWait) until metadata names the new leader.
int transfer_leader(const GlobalOptions& globals, const TransferOptions& options) {
  auto admin = client::Admin::create(connection_config(globals));
  if (!admin) return report_error(admin.error());
  if (auto st = (*admin)->transfer_leadership(options.topic, options.partition, NodeId{options.target});
      !st) {
    return report_error(st.error());
  }
  const std::string name = options.topic + "-" + std::to_string(options.partition);
  const auto deadline = std::chrono::steady_clock::now() + kTransferWait;
  while (std::chrono::steady_clock::now() < deadline) {
    auto topic = (*admin)->describe_topic(options.topic);
    if (topic) {
      for (const auto& p : topic->partitions) {
        if (p.partition.value == options.partition && p.leader.value == options.target) {
          const std::string text = "Node " + std::to_string(options.target) + " now leads " + name + ".\n";
          std::fwrite(text.data(), 1, text.size(), stdout);
          return kExitOk;
        }
      }
    }
    std::this_thread::sleep_for(kTransferPoll);
  }
  return report_error(make_error(protocol::errc::request_timed_out,
                                 "node " + std::to_string(options.target) + " did not take over " + name +
                                     " within " + std::to_string(kTransferWait.count()) + " s"));
}

void add_cluster_commands(CLI::App& app, const GlobalOptions& globals, CommandRunner& runner) {
  auto transfer_options = std::make_shared<TransferOptions>();
  CLI::App* partition = app.add_subcommand("partition", "Partition leadership and replicas (a cluster)");
  CLI::App* transfer =
      partition->add_subcommand("transfer-leader", "Hand a partition's leadership to a replica");
  transfer->add_option("topic", transfer_options->topic, "Topic name")->required();
  transfer->add_option("partition", transfer_options->partition, "Partition")->required()->check(at_least(0));
  transfer->add_option("--to", transfer_options->target, "The node to lead it")
      ->required()
      ->check(at_least(0));
  transfer->callback([&runner, &globals, transfer_options] {
    runner = [&globals, transfer_options] { return transfer_leader(globals, *transfer_options); };
  });
  add_reassign_command(*partition, globals, runner);

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
