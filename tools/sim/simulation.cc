#include "simulation.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <iterator>

#include "millrace/protocol/record_batch_builder.h"

namespace millrace::sim {

namespace {
constexpr int64_t kMinClientIntervalMs = 2;
constexpr int64_t kMaxClientIntervalMs = 25;
constexpr int64_t kMaxRecordsPerBatch = 3;
constexpr int64_t kMaxValueBytes = 64;

replication::Configuration initial_configuration(int nodes) {
  std::vector<NodeId> voters;
  for (int i = 0; i < nodes; ++i) voters.push_back(NodeId{i});
  return replication::Configuration::of_voters(voters);
}
}  // namespace

Simulation::Simulation(const SimOptions& options)
    : options_(options),
      prng_(options.seed),
      checker_(options.nodes),
      network_(options.nodes, options_, prng_, queue_, trace_),
      nemesis_(nodes_, network_, queue_, prng_, options.trace) {
  const replication::Configuration bootstrap = initial_configuration(options.nodes);
  tuning_.max_append_bytes = kAppendBytesChoices[prng_.uniform(0, std::size(kAppendBytesChoices) - 1)];
  tuning_.max_inflight_appends =
      kInflightAppendsChoices[prng_.uniform(0, std::size(kInflightAppendsChoices) - 1)];
  for (int i = 0; i < options.nodes; ++i) {
    nodes_.push_back(std::make_unique<SimNode>(
        i, bootstrap, SimContext{queue_, network_, checker_, prng_, trace_, tuning_, options.trace}));
  }
  network_.set_receiver([this](const replication::Message& message) {
    nodes_[static_cast<size_t>(message.to.value)]->deliver(message);
  });
}

Buffer Simulation::make_client_batch() {
  protocol::RecordBatchBuilder builder;
  const int64_t records = prng_.uniform(1, kMaxRecordsPerBatch);
  for (int64_t i = 0; i < records; ++i) {
    protocol::Record record;
    record.value = "seed " + std::to_string(options_.seed) + " proposal " + std::to_string(proposals_) + "." +
                   std::to_string(i) +
                   std::string(static_cast<size_t>(prng_.uniform(0, kMaxValueBytes)), 'x');
    record.timestamp_ms = queue_.now_ms();
    builder.append(record);
  }
  return builder.build();
}

void Simulation::propose_from_client() {
  if (!clients_active_) return;
  std::vector<SimNode*> leaders;  // stale leaders too: their proposals must never commit wrongly
  for (auto& node : nodes_) {
    if (node->live() && node->raft()->is_leader()) leaders.push_back(node.get());
  }
  if (!leaders.empty()) {
    SimNode* leader =
        leaders[static_cast<size_t>(prng_.uniform(0, static_cast<int64_t>(leaders.size()) - 1))];
    ++proposals_;
    if (leader->propose(make_client_batch()).ok()) ++proposals_accepted_;
  }
  queue_.schedule_after(prng_.uniform(kMinClientIntervalMs, kMaxClientIntervalMs),
                        [this] { propose_from_client(); });
}

// Liveness: a leader whose whole log is committed, and every member holding and knowing all of it.
bool Simulation::converged() {
  SimNode* leader = find_leader(nodes_);
  if (leader == nullptr) return false;
  const replication::RaftNode& raft = *leader->raft();
  if (raft.commit_end() != raft.log_end() || raft.commit_end() != checker_.committed_end()) return false;
  for (NodeId member : raft.configuration().members()) {
    const SimNode& node = *nodes_[static_cast<size_t>(member.value)];
    if (!node.live() || node.raft()->commit_end() < raft.commit_end() || node.raft()->term() != raft.term() ||
        !checker_.holds_committed_prefix(member.value)) {
      return false;
    }
  }
  return true;
}

std::string Simulation::describe_nodes() {
  std::string out;
  SimNode* leader = find_leader(nodes_);
  for (auto& node : nodes_) {
    const replication::RaftNode* raft = node->raft();
    char line[512];
    if (raft == nullptr) {
      std::snprintf(line, sizeof(line), "    node %d: down\n", node->id());
    } else {
      std::string progress;
      if (leader != nullptr && leader != node.get()) {
        if (auto p = leader->raft()->progress(NodeId{node->id()})) {
          progress = " progress match " + std::to_string(p->match_end.value) + " durable " +
                     std::to_string(p->durable_end.value) + " next " + std::to_string(p->next.value);
        }
      }
      std::snprintf(line, sizeof(line),
                    "    node %d: %s term %d leader %d log [%" PRId64 ", %" PRId64 ") flushed %" PRId64
                    " commit %" PRId64 " %s%s\n",
                    node->id(), replication::role_name(raft->role()), raft->term().value,
                    raft->leader() ? raft->leader()->value : -1, raft->log_start().value,
                    raft->log_end().value, raft->flushed_end().value, raft->commit_end().value,
                    raft->configuration().to_string().c_str(), progress.c_str());
    }
    out += line;
  }
  out += "    committed end " + std::to_string(checker_.committed_end().value);
  return out;
}

bool Simulation::step(SimResult& result, int64_t step_number) {
  queue_.run_next();
  if (checker_.ok()) return true;
  result.violation = checker_.violation();
  result.violation_step = step_number;
  result.violation_time_ms = queue_.now_ms();
  return false;
}

SimResult Simulation::run() {
  SimResult result;
  for (auto& node : nodes_) node->start();
  if (options_.faults) {
    nemesis_.start(kMaxFaultIntervalChoicesMs[prng_.uniform(0, std::size(kMaxFaultIntervalChoicesMs) - 1)]);
  }
  queue_.schedule_after(1, [this] { propose_from_client(); });

  int64_t steps = 0;
  for (; steps < options_.steps && !queue_.empty(); ++steps) {
    if (!step(result, steps)) return result;
  }

  // Liveness: repair everything, stop the clients, and wait for convergence.
  clients_active_ = false;
  nemesis_.stop_and_repair();
  const int64_t healed_at_ms = queue_.now_ms();
  int64_t liveness_steps = 0;
  while (!converged()) {
    if (queue_.empty() || queue_.now_ms() - healed_at_ms > kLivenessBoundMs) {
      result.violation = "liveness: no leader with every committed entry on every live member within " +
                         std::to_string(kLivenessBoundMs) + " ms of healing\n" + describe_nodes();
      result.violation_step = steps + liveness_steps;
      result.violation_time_ms = queue_.now_ms();
      return result;
    }
    if (!step(result, steps + liveness_steps++)) return result;
  }
  result.ok = true;
  trace_.add(checker_.committed_end().value);
  result.trace_hash = trace_.value();
  result.summary = summary(steps, liveness_steps, queue_.now_ms() - healed_at_ms);
  return result;
}

std::string Simulation::summary(int64_t safety_events, int64_t liveness_events,
                                int64_t converged_after_ms) const {
  int32_t max_term = 0;
  int64_t restarts = 0;
  for (const auto& node : nodes_) {
    max_term = std::max(max_term, node->raft()->term().value);
    restarts += node->restarts();
  }
  const NetworkStats& net = network_.stats();
  const FaultStats& faults = nemesis_.stats();
  char text[1024];
  std::snprintf(
      text, sizeof(text),
      "  virtual time %.3f s, events %" PRId64 " safety + %" PRId64
      " liveness\n"
      "  messages sent %" PRId64 ", delivered %" PRId64 ", dropped %" PRId64 ", duplicated %" PRId64
      "\n"
      "  leaders elected %" PRId64 " (max term %d); faults: %" PRId64 " partitions, %" PRId64
      " heals, %" PRId64 " crashes, %" PRId64 " slow disks, %" PRId64 " transfers, %" PRId64
      " membership changes, %" PRId64
      " prefix truncations\n"
      "  proposals %" PRId64 " (%" PRId64 " accepted); committed %" PRId64 " entries, offsets [0, %" PRId64
      ")\n"
      "  raft: max_append_bytes %zu, max_inflight_appends %d; liveness: converged %.3f s after healing\n",
      double(queue_.now_ms()) / 1000, safety_events, liveness_events, net.sent, net.delivered, net.dropped,
      net.duplicated, checker_.leaders_elected(), max_term, faults.partitions, faults.heals, faults.crashes,
      faults.slow_disks, faults.transfers, faults.configuration_changes, faults.prefix_truncations,
      proposals_, proposals_accepted_, checker_.committed_entries(), checker_.committed_end().value,
      tuning_.max_append_bytes, tuning_.max_inflight_appends, double(converged_after_ms) / 1000);
  return text;
}

}  // namespace millrace::sim
