#include "cluster_process.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "millrace/protocol/errc.h"
#include "millrace/protocol/record_batch.h"
#include "millrace/protocol/record_batch_format.h"
#include "native_requests.h"
#include "raw_client.h"
#include "wait_until.h"

namespace millrace::testing {
namespace {

constexpr auto kQueryTimeout = std::chrono::seconds(5);

template <class Response, class Request>
std::optional<Response> ask(uint16_t port, protocol::ApiKey key, const Request& request,
                            RawResponse* raw = nullptr) {
  try {
    RawClient client(port, kQueryTimeout);
    return call<Response>(client, key, request, {}, raw);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

std::vector<std::string> fast_raft_args() {
  return {"--set", "raft_tick_ms=20",
          "--set", "election_timeout_ms=300",
          "--set", "heartbeat_interval_ms=60",
          "--set", "broker_heartbeat_interval_ms=100",
          "--set", "broker_session_timeout_ms=1500"};
}

ClusterProcess::ClusterProcess(std::filesystem::path dir, int nodes, std::vector<std::string> extra_args,
                               std::map<int, std::vector<std::string>> node_args)
    : dir_(std::move(dir)) {
  // Hold every port until all are picked so that no two nodes get the same one.
  std::set<uint16_t> ports;
  while (static_cast<int>(ports.size()) < nodes) ports.insert(pick_free_port());
  int id = 0;
  for (uint16_t port : ports) {
    if (!voters_.empty()) voters_ += ",";
    voters_ += std::to_string(id++) + "@127.0.0.1:" + std::to_string(port);
  }
  id = 0;
  for (uint16_t port : ports) {
    std::vector<std::string> args = {"--node-id", std::to_string(id), "--peers", voters_};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    const auto& own = node_args[id];
    args.insert(args.end(), own.begin(), own.end());
    nodes_.push_back(
        std::make_unique<BrokerProcess>(dir_ / ("node-" + std::to_string(id)), std::move(args), port));
    ++id;
  }
}

int ClusterProcess::add_broker(std::vector<std::string> extra_args) {
  const int id = size();
  std::vector<std::string> args = {"--node-id", std::to_string(id), "--peers", voters_};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  nodes_.push_back(std::make_unique<BrokerProcess>(dir_ / ("node-" + std::to_string(id)), std::move(args)));
  return id;
}

ClusterProcess::~ClusterProcess() {
  for (auto& n : nodes_) n->kill9();
}

std::string ClusterProcess::bootstrap() const {
  std::string out;
  for (const auto& n : nodes_) out += (out.empty() ? "" : ",") + n->bootstrap();
  return out;
}

std::string ClusterProcess::bootstrap(int id) const {
  return nodes_.at(static_cast<size_t>(id))->bootstrap();
}

std::string ClusterProcess::peers() const {
  std::string out;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    out += (out.empty() ? "" : ",") + std::to_string(i) + "@" + nodes_[i]->bootstrap();
  }
  return out;
}

void ClusterProcess::start_all(const std::vector<int>& order) {
  if (order.empty()) {
    for (int i = 0; i < size(); ++i) start(i);
    return;
  }
  for (int i : order) start(i);
}

void ClusterProcess::restart(int id) {
  if (node(id).running()) node(id).stop();
  node(id).start();
}

std::vector<int> ClusterProcess::live_nodes() {
  std::vector<int> out;
  for (int i = 0; i < size(); ++i) {
    if (node(i).running() && !node(i).paused()) out.push_back(i);
  }
  return out;
}

std::string ClusterProcess::logs() const {
  std::string out;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    out += "---- node " + std::to_string(i) + " ----\n" + nodes_[i]->log();
  }
  return out;
}

std::optional<wire::MetadataResponse> ClusterProcess::metadata(int id,
                                                               const std::vector<std::string>& topics) {
  wire::MetadataRequest req;
  for (const auto& t : topics) req.add_topics(t);
  return ask<wire::MetadataResponse>(port(id), protocol::ApiKey::metadata, req);
}

std::optional<wire::TopicDescription> ClusterProcess::describe(int id, const std::string& topic) {
  wire::DescribeTopicsRequest req;
  req.add_names(topic);
  auto resp = ask<wire::DescribeTopicsResponse>(port(id), protocol::ApiKey::describe_topics, req);
  if (!resp || resp->topics_size() != 1) return std::nullopt;
  return resp->topics(0);
}

std::optional<wire::TopicResult> ClusterProcess::create_topic(
    int id, const std::string& name, int32_t partitions, int32_t replication_factor,
    const std::map<std::string, std::string>& configs) {
  wire::CreateTopicsRequest req;
  auto* spec = req.add_topics();
  spec->set_name(name);
  spec->set_partitions(partitions);
  spec->set_replication_factor(replication_factor);
  for (const auto& [k, v] : configs) (*spec->mutable_configs())[k] = v;
  auto resp = ask<wire::CreateTopicsResponse>(port(id), protocol::ApiKey::create_topics, req);
  if (!resp || resp->results_size() != 1) return std::nullopt;
  return resp->results(0);
}

int ClusterProcess::wait_for_controller(std::chrono::milliseconds timeout) {
  int controller = -1;
  const bool agreed = wait_until(
      [&] {
        std::set<int> seen;
        const auto live = live_nodes();
        for (int i : live) {
          auto md = metadata(i);
          if (!md) return false;
          seen.insert(md->controller_id());
        }
        if (live.empty() || seen.size() != 1 || *seen.begin() < 0 || *seen.begin() >= size()) return false;
        controller = *seen.begin();
        // The controller counts a broker as live once it has heard from it (only then does it place
        // replicas there): wait until it has heard from every live node.
        auto md = metadata(controller);
        if (!md) return false;
        for (const auto& b : md->brokers()) {
          const bool should_be_alive = std::find(live.begin(), live.end(), b.node_id()) != live.end();
          if (should_be_alive && !b.alive()) return false;
        }
        return true;
      },
      timeout);
  if (!agreed) throw std::runtime_error("the nodes did not agree on a controller in time:\n" + logs());
  return controller;
}

int ClusterProcess::wait_for_leader(const std::string& topic, int32_t partition,
                                    std::chrono::milliseconds timeout, int not_node) {
  int leader = -1;
  const bool found = wait_until(
      [&] {
        std::vector<std::pair<int, wire::PartitionDescription>> views;
        for (int i : live_nodes()) {
          auto d = describe(i, topic);
          if (!d || d->error_code() != 0 || partition >= d->partitions_size()) return false;
          views.emplace_back(i, d->partitions(partition));
        }
        std::set<int> claims;
        for (const auto& [i, p] : views) {
          if (p.leader() == i) claims.insert(i);
        }
        if (claims.size() != 1 || *claims.begin() == not_node) return false;
        const int l = *claims.begin();
        for (const auto& [i, p] : views) {
          const bool replica = std::find(p.replicas().begin(), p.replicas().end(), i) != p.replicas().end();
          if (replica && p.leader() != l) return false;
        }
        leader = l;
        return true;
      },
      timeout);
  if (!found) {
    throw std::runtime_error("no agreed leader for " + topic + "-" + std::to_string(partition) +
                             " in time:\n" + logs());
  }
  return leader;
}

void ClusterProcess::create_topic_or_throw(const std::string& name, int32_t partitions,
                                           int32_t replication_factor,
                                           const std::map<std::string, std::string>& configs,
                                           std::chrono::milliseconds timeout) {
  std::string last_error = "no answer";
  const bool created = wait_until(
      [&] {
        for (int i : live_nodes()) {
          auto md = metadata(i);
          if (!md || md->controller_id() < 0 || md->controller_id() >= size()) continue;
          auto result = create_topic(md->controller_id(), name, partitions, replication_factor, configs);
          if (!result) continue;
          if (result->error_code() == 0) return true;
          last_error = std::to_string(result->error_code()) + ": " + result->error_message();
          if (result->error_code() != static_cast<int>(protocol::errc::not_controller)) {
            throw std::runtime_error("create topic " + name + " failed: " + last_error);
          }
        }
        return false;
      },
      timeout);
  if (!created)
    throw std::runtime_error("create topic " + name + " timed out: " + last_error + "\n" + logs());
}

std::optional<FetchedPartition> fetch_once(uint16_t port, const std::string& topic, int32_t partition,
                                           int64_t offset, int32_t max_bytes) {
  wire::FetchRequest req;
  req.set_max_wait_ms(0);
  req.set_max_bytes(max_bytes);
  auto* p = req.add_partitions();
  p->set_topic(topic);
  p->set_partition(partition);
  p->set_fetch_offset(offset);
  p->set_max_bytes(max_bytes);
  RawResponse raw;
  auto resp = ask<wire::FetchResponse>(port, protocol::ApiKey::fetch, req, &raw);
  if (!resp || resp->results_size() != 1) return std::nullopt;
  FetchedPartition out;
  out.result = resp->results(0);
  out.bytes.assign(raw.payload.begin(), raw.payload.end());
  return out;
}

std::optional<ReplicaCopy> read_replica(uint16_t port, const std::string& topic, int32_t partition) {
  ReplicaCopy copy;
  int64_t offset = 0;
  while (true) {
    auto fetched = fetch_once(port, topic, partition, offset);
    if (!fetched || fetched->result.error_code() != 0) return std::nullopt;
    if (copy.high_watermark < 0) copy.high_watermark = fetched->result.high_watermark();
    const ByteView bytes(fetched->bytes.data(), fetched->bytes.size());
    size_t pos = 0;
    while (pos + protocol::batch_format::kHeaderSize <= bytes.size()) {
      const auto header = protocol::read_batch_header(bytes.subspan(pos));
      const auto size = static_cast<size_t>(header.size_bytes());
      if (pos + size > bytes.size() || header.base_offset >= copy.high_watermark) break;
      copy.bytes.insert(copy.bytes.end(), bytes.begin() + static_cast<std::ptrdiff_t>(pos),
                        bytes.begin() + static_cast<std::ptrdiff_t>(pos + size));
      offset = header.next_offset();
      pos += size;
    }
    if (pos == 0 || offset >= copy.high_watermark) break;
  }
  return copy;
}

}  // namespace millrace::testing
