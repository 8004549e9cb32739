// millrace-faulttest: a 3-node cluster under kill -9, SIGSTOP and network cuts while acks=all producers
// write, then a checker over every replica (docs/fault-testing.md).
//
//   millrace-faulttest run   [--duration S] [--dir D] ...   start a cluster, load it, inject faults, check
//   millrace-faulttest check --nodes H:P,... --topic T --partitions N --ack-log F   check a finished run
//
// Prints one JSON object on stdout; progress goes to stderr. Exit 0 pass, 1 fail, 2 usage or setup error.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include "ack_log.h"
#include "checker.h"
#include "cluster.h"
#include "fault_injector.h"
#include "millrace/client/admin.h"
#include "millrace/protocol/errc.h"
#include "millrace/protocol/record_batch_builder.h"
#include "native_requests.h"
#include "replica_reader.h"
#include "report_json.h"
#include "workload.h"

namespace fs = std::filesystem;
using namespace millrace;
using namespace millrace::faulttest;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

struct RunOptions {
  double duration_s = 15;
  std::string dir;
  bool keep = false;
  std::string millraced = MILLRACED_DEFAULT_PATH;
  std::string topic = "faults";
  int32_t partitions = 3;
  int32_t producers = 3;
  int32_t rate = 200;
  bool no_idempotence = false;
  bool lenient = false;
  int32_t hold_ms = 2000;
  int32_t pause_ms = 2000;
  int32_t calm_ms = 1500;
  int32_t recover_ms = 3000;
  int32_t settle_ms = 60000;
  std::vector<std::string> settings;
  bool no_faults = false;
  bool rotate_bootstrap = false;
  std::string plant;  // checker self-test: "lost" or "duplicate"
};

void progress(const std::string& text) {
  std::fprintf(stderr, "[faulttest] %s\n", text.c_str());
}

int64_t since(Clock::time_point epoch) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - epoch).count();
}

void create_topic(const std::string& bootstrap, const RunOptions& o) {
  client::ConnectionConfig connection;
  connection.bootstrap = bootstrap;
  connection.request_timeout_ms = 5000;
  auto admin = client::Admin::create(connection);
  if (!admin) throw std::runtime_error("admin: " + admin.error().to_string());
  client::NewTopic topic;
  topic.name = o.topic;
  topic.partitions = o.partitions;
  topic.replication_factor = 3;
  topic.configs["min.insync.replicas"] = "2";
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (true) {
    auto st = (*admin)->create_topic(topic);
    if (st || st.error().code == protocol::errc::topic_already_exists) return;
    if (Clock::now() > deadline) throw std::runtime_error("create topic: " + st.error().to_string());
    std::this_thread::sleep_for(milliseconds(200));
  }
}

// Every partition has a leader and, once `same_hw`, every node reports the same high watermark.
bool wait_settled(Cluster& cluster, const RunOptions& o, milliseconds timeout, bool same_hw) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    bool ok = true;
    for (int32_t p = 0; p < o.partitions && ok; ++p) {
      if (!cluster.leader_of(o.topic, p)) ok = false;
      if (!same_hw || !ok) continue;
      int64_t first = -2;
      for (auto port : cluster.ports()) {
        const int64_t hw = replica_high_watermark(port, o.topic, p);
        if (hw < 0 || (first != -2 && hw != first)) ok = false;
        first = hw;
      }
    }
    if (ok) return true;
    std::this_thread::sleep_for(milliseconds(200));
  }
  return false;
}

// Checker self-test: makes the run wrong on purpose, so that a checker that sees nothing is caught.
//   lost       an acknowledged entry for a value that was never sent;
//   duplicate  a second copy of an acknowledged value, appended to its partition by a raw produce.
void plant(const std::string& what, Cluster& cluster, const std::string& topic,
           std::vector<AckEntry>& entries) {
  const auto acked =
      std::find_if(entries.begin(), entries.end(), [](const AckEntry& e) { return e.acknowledged; });
  if (acked == entries.end()) throw std::runtime_error("plant: nothing was acknowledged");
  if (what == "lost") {
    AckEntry fake = *acked;
    fake.sequence = 1'000'000'000;
    entries.push_back(fake);
  } else if (what == "duplicate") {
    const auto leader = cluster.leader_of(topic, acked->partition);
    if (!leader) throw std::runtime_error("plant: no leader");
    protocol::RecordBatchBuilder builder;
    protocol::Record record;
    record.value = record_value(acked->producer, acked->partition, acked->sequence);
    builder.append(record);
    testing::RawClient client(cluster.node(*leader).port());
    auto result = testing::produce(client, topic, acked->partition, builder.build(), -1);
    if (result.error_code() != 0)
      throw std::runtime_error("plant: produce failed: " + result.error_message());
  } else {
    throw std::runtime_error("--plant takes lost or duplicate");
  }
  progress("planted a " + what + " value");
}

int run(const RunOptions& o) {
  const bool temp_dir = o.dir.empty();
  fs::path dir = o.dir;
  if (temp_dir) {
    std::string pattern = (fs::temp_directory_path() / "millrace-faulttest-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir = pattern;
  }
  fs::create_directories(dir);
  progress("directory " + dir.string());

  ClusterOptions co;
  co.dir = dir;
  co.millraced = o.millraced;
  co.broker_settings = {"raft_tick_ms=50", "election_timeout_ms=600", "heartbeat_interval_ms=100"};
  co.broker_settings.insert(co.broker_settings.end(), o.settings.begin(), o.settings.end());
  Cluster cluster(co);
  cluster.start();
  progress("cluster up: " + cluster.bootstrap());
  create_topic(cluster.bootstrap(), o);
  if (!wait_settled(cluster, o, milliseconds(60000), false))
    throw std::runtime_error("partitions got no leader");
  progress("topic " + o.topic + " ready");

  const auto epoch = Clock::now();
  WorkloadOptions wo;
  wo.bootstrap = cluster.bootstrap();
  wo.rotate_bootstrap = o.rotate_bootstrap;
  wo.topic = o.topic;
  wo.partitions = o.partitions;
  wo.producers = o.producers;
  wo.records_per_second = o.rate;
  wo.idempotent = !o.no_idempotence;
  Workload workload(wo, epoch);
  workload.start();
  const int64_t load_start_ms = since(epoch);

  FaultOptions fo;
  fo.duration = milliseconds(static_cast<int64_t>(o.duration_s * 1000));
  fo.hold = milliseconds(o.hold_ms);
  fo.pause = milliseconds(o.pause_ms);
  fo.calm = milliseconds(o.calm_ms);
  fo.topic = o.topic;
  fo.partitions = o.partitions;
  FaultInjector injector(cluster, fo, epoch);
  std::this_thread::sleep_for(milliseconds(1000));  // load before the first fault
  if (!o.no_faults) injector.run();
  injector.heal_all();
  std::this_thread::sleep_for(milliseconds(o.recover_ms));  // load after healing
  progress("stopping the load");
  workload.stop(milliseconds(60000));
  const int64_t load_end_ms = workload.stopped_ms();
  auto entries = workload.entries();
  if (!o.plant.empty()) plant(o.plant, cluster, o.topic, entries);
  write_ack_log((dir / "acks.tsv").string(), entries);

  progress("waiting for the replicas to settle");
  const bool settled = wait_settled(cluster, o, milliseconds(o.settle_ms), true);
  CheckOptions check_options;
  check_options.topic = o.topic;
  check_options.partitions = o.partitions;
  check_options.node_ports = cluster.ports();
  check_options.strict = !o.lenient && !o.no_idempotence;
  check_options.load_start_ms = load_start_ms;
  check_options.load_end_ms = load_end_ms;
  const auto report = check(check_options, entries);

  RunInfo info;
  info.strict = check_options.strict;
  info.idempotent = wo.idempotent;
  info.duration_ms = load_end_ms - load_start_ms;
  info.cycles = injector.cycles();
  info.refused_sends = workload.refused_sends();
  info.settled = settled;
  info.dir = dir.string();
  info.events = injector.events();
  std::cout << report_json(report, info) << std::endl;

  cluster.stop();
  const bool passed = report.passed(check_options.strict);
  // A planted self-test is meant to fail: its directory is of no interest either.
  if ((passed || !o.plant.empty()) && temp_dir && !o.keep) {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  if (!passed) progress("FAILED; logs and data kept in " + dir.string());
  return passed ? 0 : 1;
}

struct CheckCommandOptions {
  std::string nodes;
  std::string topic = "faults";
  int32_t partitions = 3;
  std::string ack_log;
  bool lenient = false;
};

int check_command(const CheckCommandOptions& o) {
  auto entries = read_ack_log(o.ack_log);
  if (!entries) throw std::runtime_error("cannot read ack log " + o.ack_log);
  CheckOptions co;
  co.topic = o.topic;
  co.partitions = o.partitions;
  co.strict = !o.lenient;
  size_t start = 0;
  while (start <= o.nodes.size()) {
    const auto end = std::min(o.nodes.find(',', start), o.nodes.size());
    const auto item = o.nodes.substr(start, end - start);
    const auto colon = item.rfind(':');
    if (colon == std::string::npos) throw std::runtime_error("--nodes takes HOST:PORT,... in node id order");
    co.node_ports.push_back(static_cast<uint16_t>(std::stoi(item.substr(colon + 1))));
    start = end + 1;
  }
  int64_t first = INT64_MAX, last = 0;
  for (const auto& e : *entries) {
    first = std::min(first, e.send_ms);
    last = std::max(last, e.done_ms);
  }
  co.load_start_ms = entries->empty() ? 0 : first;
  co.load_end_ms = last;
  const auto report = check(co, *entries);
  RunInfo info;
  info.mode = "check";
  info.strict = co.strict;
  info.settled = false;
  std::cout << report_json(report, info) << std::endl;
  return report.passed(co.strict) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"millrace-faulttest: fault injection and a replica checker for a 3-node cluster"};
  app.require_subcommand(1);
  RunOptions ro;
  auto* run_cmd = app.add_subcommand("run", "start a cluster, load it, inject faults, check every replica");
  run_cmd->add_option("--duration", ro.duration_s, "seconds of fault injection (whole cycles are finished)");
  run_cmd->add_option("--dir", ro.dir,
                      "working directory (default: a new temporary one, removed on success)");
  run_cmd->add_flag("--keep", ro.keep, "keep the temporary directory even on success");
  run_cmd->add_option("--millraced", ro.millraced, "path of the broker daemon");
  run_cmd->add_option("--topic", ro.topic, "topic name");
  run_cmd->add_option("--partitions", ro.partitions, "partitions")->check(CLI::Range(1, 64));
  run_cmd->add_option("--producers", ro.producers, "producers")->check(CLI::Range(1, 64));
  run_cmd->add_option("--rate", ro.rate, "records per second per producer")->check(CLI::Range(1, 100000));
  run_cmd->add_flag("--no-idempotence", ro.no_idempotence,
                    "plain acks=all producers (duplicates and reordering are then reported, not failed)");
  run_cmd->add_flag("--lenient", ro.lenient, "do not fail on duplicates or reordering");
  run_cmd->add_option("--hold-ms", ro.hold_ms, "how long a killed node stays down or a cut lasts");
  run_cmd->add_option("--pause-ms", ro.pause_ms, "how long a leader stays SIGSTOPped");
  run_cmd->add_option("--calm-ms", ro.calm_ms, "quiet time after each fault");
  run_cmd->add_option("--recover-ms", ro.recover_ms, "load time after everything is healed");
  run_cmd->add_option("--settle-ms", ro.settle_ms, "longest wait for equal high watermarks before checking");
  run_cmd->add_option("--set", ro.settings, "KEY=VALUE broker setting for every node; repeatable");
  run_cmd->add_flag("--rotate-bootstrap", ro.rotate_bootstrap,
                    "producer k bootstraps from node k first (spreads InitProducerId over the nodes)");
  run_cmd->add_flag("--no-faults", ro.no_faults,
                    "load and check only (with --plant: the checker's self-test)");
  run_cmd
      ->add_option("--plant", ro.plant, "checker self-test: plant a 'lost' or 'duplicate' value; must fail")
      ->check(CLI::IsMember({"lost", "duplicate"}));

  CheckCommandOptions co;
  auto* check_cmd = app.add_subcommand("check", "check an ack log (acks.tsv of a run) against running nodes");
  check_cmd->add_option("--nodes", co.nodes, "HOST:PORT of every node, in node id order")->required();
  check_cmd->add_option("--topic", co.topic, "topic name");
  check_cmd->add_option("--partitions", co.partitions, "partitions");
  check_cmd->add_option("--ack-log", co.ack_log, "the run's acks.tsv")->required();
  check_cmd->add_flag("--lenient", co.lenient, "do not fail on duplicates or reordering");
  CLI11_PARSE(app, argc, argv);
  try {
    if (*run_cmd) return run(ro);
    return check_command(co);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "millrace-faulttest: %s\n", e.what());
    return 2;
  }
}
