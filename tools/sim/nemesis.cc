#include "nemesis.h"

#include <algorithm>
#include <cstdio>

namespace millrace::sim {

using replication::ConfigChange;
using replication::ConfigChangeKind;

namespace {
constexpr int64_t kMinFaultIntervalMs = 10;
constexpr int64_t kMinDowntimeMs = 1;
constexpr int64_t kMaxDowntimeMs = 2000;
constexpr int64_t kMaxSlowDiskMs = 3000;
constexpr int kMaxFlapToggles = 20;
constexpr size_t kMinVotersAfterRemoval = 2;
}  // namespace

SimNode* find_leader(std::vector<std::unique_ptr<SimNode>>& nodes) {
  SimNode* best = nullptr;
  for (auto& node : nodes) {
    if (!node->live() || !node->raft()->is_leader()) continue;
    if (best == nullptr || node->raft()->term() > best->raft()->term()) best = node.get();
  }
  return best;
}

Nemesis::Nemesis(std::vector<std::unique_ptr<SimNode>>& nodes, Network& network, EventQueue& queue,
                 replication::Prng& prng, bool verbose)
    : nodes_(nodes), network_(network), queue_(queue), prng_(prng), verbose_(verbose) {}

void Nemesis::note(const std::string& what) const {
  if (verbose_) std::printf("%10.3f s  nemesis: %s\n", double(queue_.now_ms()) / 1000, what.c_str());
}

void Nemesis::start(int64_t max_interval_ms) {
  active_ = true;
  max_interval_ms_ = max_interval_ms;
  queue_.schedule_after(prng_.uniform(kMinFaultIntervalMs, max_interval_ms_), [this] { act(); });
}

void Nemesis::stop_and_repair() {
  active_ = false;
  network_.heal();
  for (auto& node : nodes_) {
    node->set_slow_disk(false);
    node->start();
  }
}

int Nemesis::random_node() {
  return static_cast<int>(prng_.uniform(0, static_cast<int64_t>(nodes_.size()) - 1));
}

SimNode* Nemesis::leader() {
  return find_leader(nodes_);
}

void Nemesis::act() {
  if (!active_) return;
  switch (prng_.uniform(0, 15)) {
    case 0:
      isolate_leader();
      break;
    case 1:
      split_majority_minority();
      break;
    case 2:
      split_everyone();
      break;
    case 3:
      cut_one_direction();
      break;
    case 4:
      flap_link();
      break;
    case 5:
    case 6:
    case 7:
      network_.heal();
      ++stats_.heals;
      note("heal the network");
      break;
    case 8:
      crash(*nodes_[static_cast<size_t>(random_node())]);
      break;
    case 9:
      if (SimNode* l = leader()) crash(*l);
      break;
    case 10:
      slow_disk();
      break;
    case 11:
      transfer_leadership();
      break;
    case 12:
    case 13:
      change_membership();
      break;
    default:
      truncate_prefix();
      break;
  }
  queue_.schedule_after(prng_.uniform(kMinFaultIntervalMs, max_interval_ms_), [this] { act(); });
}

void Nemesis::isolate_leader() {
  if (SimNode* l = leader()) {
    network_.isolate(l->id());
    note("isolate leader " + std::to_string(l->id()));
    ++stats_.partitions;
  }
}

void Nemesis::split_majority_minority() {
  std::vector<int> group_of(nodes_.size(), 0);
  const int minority = static_cast<int>((nodes_.size() - 1) / 2);
  for (int i = 0; i < minority; ++i) group_of[static_cast<size_t>(random_node())] = 1;
  network_.split(group_of);
  ++stats_.partitions;
  note("split majority | minority");
}

void Nemesis::split_everyone() {
  std::vector<int> group_of(nodes_.size());
  for (size_t i = 0; i < group_of.size(); ++i) group_of[i] = static_cast<int>(i);
  network_.split(group_of);
  ++stats_.partitions;
  note("split every node from every other");
}

void Nemesis::cut_one_direction() {
  const int from = random_node();
  const int to = random_node();
  if (from != to) network_.set_link(from, to, false);
  note("cut link " + std::to_string(from) + " -> " + std::to_string(to));
  ++stats_.partitions;
}

void Nemesis::flap_link() {
  const int a = random_node();
  const int b = random_node();
  if (a != b) network_.flap(a, b, static_cast<int>(prng_.uniform(2, kMaxFlapToggles)));
  note("flap link " + std::to_string(a) + " <-> " + std::to_string(b));
  ++stats_.partitions;
}

void Nemesis::crash(SimNode& node) {
  if (!node.live()) return;
  node.crash();
  note("crash node " + std::to_string(node.id()));
  ++stats_.crashes;
  queue_.schedule_after(prng_.uniform(kMinDowntimeMs, kMaxDowntimeMs), [this, &node] {
    if (active_) node.start();
  });
}

void Nemesis::slow_disk() {
  SimNode* l = leader();
  SimNode& node = l != nullptr && prng_.chance(0.5) ? *l : *nodes_[static_cast<size_t>(random_node())];
  node.set_slow_disk(true);
  note("slow disk on node " + std::to_string(node.id()));
  ++stats_.slow_disks;
  queue_.schedule_after(prng_.uniform(kMinDowntimeMs, kMaxSlowDiskMs),
                        [&node] { node.set_slow_disk(false); });
}

void Nemesis::transfer_leadership() {
  SimNode* l = leader();
  if (l == nullptr) return;
  const auto& voters = l->raft()->configuration().voters;
  const NodeId target =
      voters[static_cast<size_t>(prng_.uniform(0, static_cast<int64_t>(voters.size()) - 1))];
  if (l->transfer_leadership(target).ok()) ++stats_.transfers;
  note("transfer leadership to node " + std::to_string(target.value));
}

void Nemesis::change_membership() {
  SimNode* l = leader();
  if (l == nullptr) return;
  const replication::Configuration& configuration = l->raft()->configuration();
  std::vector<ConfigChange> candidates;
  for (auto& node : nodes_) {
    const NodeId id{node->id()};
    if (configuration.is_learner(id)) candidates.push_back({ConfigChangeKind::promote_learner, id});
    if (!configuration.contains(id)) candidates.push_back({ConfigChangeKind::add_learner, id});
    if (configuration.is_voter(id) && configuration.voters.size() > kMinVotersAfterRemoval) {
      candidates.push_back({ConfigChangeKind::remove_node, id});
    }
  }
  if (candidates.empty()) return;
  const ConfigChange change =
      candidates[static_cast<size_t>(prng_.uniform(0, int64_t(candidates.size()) - 1))];
  const bool accepted = l->propose_configuration_change(change).ok();
  if (accepted) ++stats_.configuration_changes;
  note(std::string(change.kind == ConfigChangeKind::add_learner       ? "add learner "
                   : change.kind == ConfigChangeKind::promote_learner ? "promote learner "
                                                                      : "remove node ") +
       std::to_string(change.node.value) + (accepted ? "" : " (refused)"));
}

void Nemesis::truncate_prefix() {
  SimNode& node = *nodes_[static_cast<size_t>(random_node())];
  if (!node.live()) return;
  const Offset commit = node.raft()->commit_end();
  const Offset start = node.raft()->log_start();
  if (commit <= start) return;
  if (node.truncate_prefix(Offset{prng_.uniform(start.value, commit.value)}).ok())
    ++stats_.prefix_truncations;
  note("truncate node " + std::to_string(node.id()) + "'s prefix");
}

}  // namespace millrace::sim
