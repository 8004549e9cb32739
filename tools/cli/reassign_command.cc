#include "reassign_command.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

#include "millrace/client/admin.h"
#include "millrace/protocol/errc.h"
#include "validators.h"

namespace millrace::cli {

namespace {

struct ReassignOptions {
  std::string topic;
  int32_t partition = 0;
  std::vector<int32_t> replicas;
  bool wait = false;
  int64_t timeout_ms = 120'000;
};

constexpr auto kReassignPoll = std::chrono::milliseconds(200);

std::string join(const std::vector<int32_t>& ids) {
  std::string out;
  for (int32_t id : ids) out += (out.empty() ? "" : ",") + std::to_string(id);
  return out;
}

int print(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  return kExitOk;
}

// Complete once the described replicas are the target (in that order) and nothing is being added or removed.
bool complete(const client::PartitionDescription& p, const std::vector<int32_t>& target) {
  if (p.reassigning() || p.replicas.size() != target.size()) return false;
  for (size_t i = 0; i < target.size(); ++i) {
    if (p.replicas[i].value != target[i]) return false;
  }
  return true;
}

int reassign(const GlobalOptions& globals, const ReassignOptions& options) {
  auto admin = client::Admin::create(connection_config(globals));
  if (!admin) return report_error(admin.error());
  std::vector<NodeId> replicas;
  for (int32_t r : options.replicas) replicas.push_back(NodeId{r});
  const std::string name = options.topic + "-" + std::to_string(options.partition);
  if (auto st = (*admin)->reassign_partition(options.topic, options.partition, replicas); !st) {
    return report_error(st.error());
  }
  if (!options.wait) {
    return print("Reassignment of " + name + " to [" + join(options.replicas) +
                 "] started; `millrace topic describe " + options.topic + "` shows its progress.\n");
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options.timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    auto topic = (*admin)->describe_topic(options.topic);
    if (topic) {
      auto p = std::find_if(topic->partitions.begin(), topic->partitions.end(),
                            [&](const auto& d) { return d.partition.value == options.partition; });
      if (p != topic->partitions.end() && complete(*p, options.replicas)) {
        return print("Reassignment of " + name + " complete: replicas [" + join(options.replicas) + "].\n");
      }
    }
    std::this_thread::sleep_for(kReassignPoll);
  }
  return report_error(make_error(protocol::errc::request_timed_out,
                                 "the reassignment of " + name + " did not complete within " +
                                     std::to_string(options.timeout_ms) + " ms (it goes on)"));
}

}  // namespace

void add_reassign_command(CLI::App& partition, const GlobalOptions& globals, CommandRunner& runner) {
  auto options = std::make_shared<ReassignOptions>();
  CLI::App* cmd = partition.add_subcommand(
      "reassign", "Move a partition's replicas online (add learners, promote them, remove the others)");
  cmd->add_option("topic", options->topic, "Topic name")->required();
  cmd->add_option("partition", options->partition, "Partition")->required()->check(at_least(0));
  cmd->add_option("--replicas", options->replicas, "The new replica set, preferred leader first (e.g. 0,1,3)")
      ->required()
      ->delimiter(',')
      ->check(at_least(0));
  cmd->add_flag("--wait", options->wait, "Wait until the reassignment is complete");
  cmd->add_option("--timeout-ms", options->timeout_ms, "With --wait: give up waiting after this long")
      ->check(at_least(1));
  cmd->callback(
      [&runner, &globals, options] { runner = [&globals, options] { return reassign(globals, *options); }; });
}

}  // namespace millrace::cli
