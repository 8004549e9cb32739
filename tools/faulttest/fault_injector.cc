#include "fault_injector.h"

#include <cstdio>
#include <thread>

namespace millrace::faulttest {

namespace {
constexpr auto kLeaderWait = std::chrono::seconds(10);
}

FaultInjector::FaultInjector(Cluster& cluster, FaultOptions options,
                             std::chrono::steady_clock::time_point epoch)
    : cluster_(cluster), options_(std::move(options)), epoch_(epoch) {}

void FaultInjector::note(std::string what) {
  FaultEvent e;
  e.at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - epoch_)
                .count();
  e.what = std::move(what);
  std::fprintf(stderr, "[faulttest %7.3fs] %s\n", static_cast<double>(e.at_ms) / 1000.0, e.what.c_str());
  events_.push_back(std::move(e));
}

void FaultInjector::sleep(std::chrono::milliseconds d) {
  std::this_thread::sleep_for(d);
}

int32_t FaultInjector::find_leader(int32_t partition, int32_t other_than) {
  const auto deadline = std::chrono::steady_clock::now() + kLeaderWait;
  while (std::chrono::steady_clock::now() < deadline) {
    auto leader = cluster_.leader_of(options_.topic, partition);
    if (leader && *leader != other_than) return *leader;
    sleep(std::chrono::milliseconds(50));
  }
  return -1;
}

void FaultInjector::restart(int32_t node) {
  const auto begin = std::chrono::steady_clock::now();
  try {
    cluster_.node(node).start();
    const auto took =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - begin)
            .count();
    note("restarted node " + std::to_string(node) + " (serving after " + std::to_string(took) + " ms)");
  } catch (const std::exception& e) {
    note(std::string("restart failed: ") + e.what());
    throw;
  }
}

void FaultInjector::run() {
  const auto end = std::chrono::steady_clock::now() + options_.duration;
  int32_t partition = 0;
  do {
    ++cycles_;
    note("cycle " + std::to_string(cycles_) + " on p" + std::to_string(partition));
    kill_leader(partition);
    sleep(options_.calm);
    pause_leader(partition);
    sleep(options_.calm);
    kill_new_leader(partition);
    sleep(options_.calm);
    isolate_leader(partition);
    sleep(options_.calm);
    partition = (partition + 1) % options_.partitions;
  } while (std::chrono::steady_clock::now() < end);
}

void FaultInjector::kill_leader(int32_t partition) {
  const int32_t leader = find_leader(partition);
  if (leader < 0) return note("kill-leader: no leader for p" + std::to_string(partition) + ", skipped");
  cluster_.node(leader).kill9();
  note("kill -9 node " + std::to_string(leader) + " (leader of p" + std::to_string(partition) + ")");
  sleep(options_.hold);
  restart(leader);
}

void FaultInjector::pause_leader(int32_t partition) {
  const int32_t leader = find_leader(partition);
  if (leader < 0) return note("pause-leader: no leader for p" + std::to_string(partition) + ", skipped");
  cluster_.node(leader).pause();
  note("SIGSTOP node " + std::to_string(leader) + " (leader of p" + std::to_string(partition) + ")");
  sleep(options_.pause);
  const auto during = cluster_.leader_of(options_.topic, partition);
  cluster_.node(leader).resume();
  note("SIGCONT node " + std::to_string(leader) + " (p" + std::to_string(partition) +
       " leader meanwhile: " + (during ? std::to_string(*during) : std::string("none")) + ")");
}

void FaultInjector::kill_new_leader(int32_t partition) {
  const int32_t first = find_leader(partition);
  if (first < 0) return note("kill-new-leader: no leader for p" + std::to_string(partition) + ", skipped");
  cluster_.node(first).kill9();
  note("kill -9 node " + std::to_string(first) + " (leader of p" + std::to_string(partition) + ")");
  const int32_t second = find_leader(partition, first);
  if (second < 0) {
    note("kill-new-leader: no new leader elected within 10 s");
  } else {
    cluster_.node(second).kill9();
    note("kill -9 node " + std::to_string(second) + " (new leader of p" + std::to_string(partition) + ")");
  }
  sleep(options_.hold);
  restart(first);
  if (second >= 0) restart(second);
}

void FaultInjector::isolate_leader(int32_t partition) {
  const int32_t leader = find_leader(partition);
  if (leader < 0) return note("isolate-leader: no leader for p" + std::to_string(partition) + ", skipped");
  cluster_.isolate(leader);
  note("cut node " + std::to_string(leader) + " off (leader of p" + std::to_string(partition) + ")");
  sleep(options_.hold);
  const auto during = cluster_.leader_of(options_.topic, partition);
  cluster_.heal_network();
  note("healed links (p" + std::to_string(partition) +
       " leader during the cut: " + (during ? std::to_string(*during) : std::string("none")) + ")");
}

void FaultInjector::heal_all() {
  cluster_.heal_network();
  for (int32_t n = 0; n < cluster_.size(); ++n) {
    auto& node = cluster_.node(n);
    if (node.paused()) node.resume();
    if (!node.running()) restart(n);
  }
  note("healed everything");
}

}  // namespace millrace::faulttest
