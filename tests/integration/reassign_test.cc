// Partition reassignment on a four-node cluster of real millraced processes: moving replicas under acks=all
// load (the leader among those leaving) without loss or duplication, byte-identical copies afterwards;
// completing across kill -9 of the controller and of the partition leader; a node whose data directory
// was wiped is kept out until reassigned; a new replica behind the leader's retention gets a snapshot.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "acked_records.h"
#include "cluster_process.h"
#include "consume_all.h"
#include "millrace/client/admin.h"
#include "millrace/client/consumer.h"
#include "millrace/client/producer.h"
#include "millrace/protocol/errc.h"
#include "millrace/protocol/record_batch.h"
#include "process.h"
#include "temp_dir.h"
#include "wait_until.h"

using namespace millrace;
using namespace millrace::client;
using namespace millrace::testing;
using namespace std::chrono_literals;
using protocol::errc;

namespace {

constexpr int kNodes = 4;

ConnectionConfig connection_to(const ClusterProcess& cluster) {
  ConnectionConfig c;
  c.bootstrap = cluster.bootstrap();
  c.request_timeout_ms = 5000;
  c.reconnect_backoff_ms = 50;
  return c;
}

std::vector<int> replicas_of(ClusterProcess& cluster, int node, const std::string& topic) {
  auto d = cluster.describe(node, topic);
  if (!d || d->partitions_size() == 0) return {};
  return {d->partitions(0).replicas().begin(), d->partitions(0).replicas().end()};
}

// Reassigns through the Admin client, retrying while the controller moves.
void reassign(ClusterProcess& cluster, const std::string& topic, const std::vector<int>& target) {
  auto admin = Admin::create(connection_to(cluster));
  REQUIRE(admin.ok());
  std::vector<NodeId> replicas;
  for (int r : target) replicas.push_back(NodeId{r});
  Status last;
  const bool accepted = wait_until(
      [&] {
        last = (*admin)->reassign_partition(topic, 0, replicas);
        return last.ok();
      },
      20s);
  INFO((last.ok() ? std::string() : last.error().to_string()));
  REQUIRE(accepted);
}

// Waits until every live node's assignment of topic-0 is `target` with nothing being added or removed.
void wait_for_reassignment(ClusterProcess& cluster, const std::string& topic, const std::vector<int>& target,
                           std::chrono::milliseconds timeout = 30s) {
  const bool done = wait_until(
      [&] {
        for (int i : cluster.live_nodes()) {
          auto d = cluster.describe(i, topic);
          if (!d || d->partitions_size() == 0) return false;
          const auto& p = d->partitions(0);
          if (p.adding_replicas_size() > 0 || p.removing_replicas_size() > 0) return false;
          if (std::vector<int>(p.replicas().begin(), p.replicas().end()) != target) return false;
        }
        return true;
      },
      timeout);
  INFO(cluster.logs());
  REQUIRE(done);
}

// Node `port`'s committed copy of topic-0 from its log start: (log start, bytes of [start, high watermark)).
std::optional<std::pair<int64_t, Buffer>> committed_copy(ClusterProcess& cluster, int node,
                                                         const std::string& topic) {
  auto d = cluster.describe(node, topic);
  if (!d || d->partitions_size() == 0 || d->partitions(0).error_code() != 0) return std::nullopt;
  const int64_t start = d->partitions(0).log_start_offset();
  int64_t offset = start;
  int64_t hw = -1;
  Buffer out;
  while (true) {
    auto fetched = fetch_once(cluster.port(node), topic, 0, offset);
    if (!fetched || fetched->result.error_code() != 0) return std::nullopt;
    if (hw < 0) hw = fetched->result.high_watermark();
    const ByteView bytes(fetched->bytes.data(), fetched->bytes.size());
    size_t pos = 0;
    while (pos + protocol::batch_format::kHeaderSize <= bytes.size()) {
      const auto header = protocol::read_batch_header(bytes.subspan(pos));
      const auto size = static_cast<size_t>(header.size_bytes());
      if (pos + size > bytes.size() || header.base_offset >= hw) break;
      out.insert(out.end(), bytes.begin() + static_cast<std::ptrdiff_t>(pos),
                 bytes.begin() + static_cast<std::ptrdiff_t>(pos + size));
      offset = header.next_offset();
      pos += size;
    }
    if (pos == 0 || offset >= hw) break;
  }
  return std::pair{start, std::move(out)};
}

// Waits until the replicas `nodes` serve the same high watermark (at least `min_hw`) and the same bytes
// from the latest log start among them.
void wait_for_identical(ClusterProcess& cluster, const std::string& topic, const std::vector<int>& nodes,
                        int64_t min_hw, std::chrono::milliseconds timeout = 20s) {
  std::string why;
  const bool same = wait_until(
      [&] {
        std::map<int, std::pair<int64_t, Buffer>> copies;
        std::map<int, int64_t> hws;
        for (int i : nodes) {
          auto d = cluster.describe(i, topic);
          if (!d || d->partitions_size() == 0) return false;
          hws[i] = d->partitions(0).high_watermark();
          if (hws[i] < min_hw || hws[i] != hws.begin()->second) return false;
          auto copy = committed_copy(cluster, i, topic);
          if (!copy) return false;
          copies.emplace(i, std::move(*copy));
        }
        int64_t start = 0;
        for (const auto& [i, c] : copies) start = std::max(start, c.first);
        // Compare the suffixes from the common start: cut each copy at the batch holding `start`.
        std::optional<Buffer> reference;
        for (const auto& [i, c] : copies) {
          const ByteView bytes(c.second.data(), c.second.size());
          size_t pos = 0;
          while (pos < bytes.size()) {
            const auto header = protocol::read_batch_header(bytes.subspan(pos));
            if (header.base_offset >= start) break;
            pos += static_cast<size_t>(header.size_bytes());
          }
          Buffer suffix(c.second.begin() + static_cast<std::ptrdiff_t>(pos), c.second.end());
          if (!reference) {
            reference = std::move(suffix);
          } else if (suffix != *reference) {
            why = "node " + std::to_string(i) + " differs";
            return false;
          }
        }
        return true;
      },
      timeout);
  INFO(why);
  INFO(cluster.logs());
  REQUIRE(same);
}

using Acked = AckedRecords;

// An acks=all, idempotent producer writing to topic-0 from a thread until stopped.
class Load {
 public:
  Load(ClusterProcess& cluster, std::string topic) : topic_(std::move(topic)) {
    ProducerConfig config;
    config.connection = connection_to(cluster);
    config.linger_ms = 2;
    auto producer = Producer::create(config);
    REQUIRE(producer.ok());
    producer_ = std::move(*producer);
    thread_ = std::thread([this] {
      while (!stop_) {
        const int i = sent_++;
        ProducerRecord r;
        r.topic = topic_;
        r.partition = PartitionId{0};
        r.value = "v" + std::to_string(i);
        if (!producer_->send(r, acked.callback(*r.value)).ok()) break;
        if (i % 20 == 19) std::this_thread::sleep_for(2ms);
      }
    });
  }
  ~Load() { finish(); }
  void finish() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (producer_) producer_->flush();
  }
  Acked acked;

 private:
  std::string topic_;
  std::unique_ptr<Producer> producer_;
  std::atomic<bool> stop_{false};
  std::atomic<int> sent_{0};
  std::thread thread_;
};

// Every acknowledged record is read back once, at its offset, and nothing else is there.
void check_read_back(ClusterProcess& cluster, const std::string& topic, Acked& acked) {
  std::lock_guard<std::mutex> lock(acked.mutex);
  std::map<int64_t, std::string> read;
  size_t duplicates = 0;
  for (auto& r : consume_all(connection_to(cluster), topic, acked.by_value.size(), 30s)) {
    if (!read.emplace(r.offset.value, r.value.value_or("")).second) ++duplicates;
  }
  CHECK(duplicates == 0);
  size_t missing = 0;
  for (const auto& [value, where] : acked.by_value) {
    const int64_t offset = where.second;
    auto it = read.find(offset);
    if (it == read.end() || it->second != value) ++missing;
  }
  CHECK(missing == 0);
  CHECK(read.size() == acked.by_value.size());
}

int leader_now(ClusterProcess& cluster, const std::string& topic) {
  return cluster.wait_for_leader(topic, 0);
}

}  // namespace

TEST_CASE("reassignment under acks=all load moves replicas, the leader among those leaving", "[reassign]") {
  TempDir dir("millrace-reassign");
  ClusterProcess cluster(dir.path(), kNodes, fast_raft_args());
  cluster.start_all();
  cluster.wait_for_controller();
  cluster.create_topic_or_throw("moving", 1, 3);
  const int leader = leader_now(cluster, "moving");
  const std::vector<int> before = replicas_of(cluster, leader, "moving");
  REQUIRE(before.size() == 3);
  int newcomer = -1;
  for (int i = 0; i < kNodes; ++i) {
    if (std::find(before.begin(), before.end(), i) == before.end()) newcomer = i;
  }
  std::vector<int> target{newcomer};
  for (int r : before) {
    if (r != leader) target.push_back(r);
  }

  Load load(cluster, "moving");
  REQUIRE(wait_until([&] { return load.acked.ok >= 300; }, 20s));
  reassign(cluster, "moving", target);
  // Progress shows while it runs (or it is already over).
  wait_for_reassignment(cluster, "moving", target);
  const size_t at_done = load.acked.ok;
  REQUIRE(wait_until([&] { return load.acked.ok >= at_done + 200; }, 20s));
  load.finish();
  INFO(load.acked.first_error);
  CHECK(load.acked.failed == 0);

  // The old leader left: it deleted its copy; someone else leads.
  const int new_leader = leader_now(cluster, "moving");
  CHECK(new_leader != leader);
  CHECK(wait_until([&] { return !std::filesystem::exists(cluster.node(leader).data_dir() / "moving-0"); },
                   10s));
  int64_t acked_end = 0;
  for (const auto& [value, where] : load.acked.by_value) acked_end = std::max(acked_end, where.second + 1);
  wait_for_identical(cluster, "moving", target, acked_end);
  check_read_back(cluster, "moving", load.acked);

  // A second reassignment is refused while one runs; bad lists are refused at once.
  auto admin = Admin::create(connection_to(cluster));
  REQUIRE(admin.ok());
  auto empty = (*admin)->reassign_partition("moving", 0, {});
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().code == errc::invalid_replica_assignment);
  auto unknown = (*admin)->reassign_partition("moving", 0, {NodeId{0}, NodeId{9}});
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == errc::invalid_replica_assignment);
  auto missing = (*admin)->reassign_partition("nope", 0, {NodeId{0}});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == errc::unknown_topic_or_partition);
}

TEST_CASE("a reassignment completes across kill -9 of the controller and of the partition leader",
          "[reassign]") {
  TempDir dir("millrace-reassign");
  ClusterProcess cluster(dir.path(), kNodes, fast_raft_args());
  cluster.start_all();
  const int controller = cluster.wait_for_controller();
  cluster.create_topic_or_throw("failover", 1, 3);
  const int leader = leader_now(cluster, "failover");
  const std::vector<int> before = replicas_of(cluster, leader, "failover");
  {
    Load warm(cluster, "failover");
    REQUIRE(wait_until([&] { return warm.acked.ok >= 2000; }, 30s));
  }
  int newcomer = -1;
  for (int i = 0; i < kNodes; ++i) {
    if (std::find(before.begin(), before.end(), i) == before.end()) newcomer = i;
  }
  // Keep the leader; replace another replica (not the controller, so that both kills below hit nodes
  // that stay).
  std::vector<int> target{leader};
  for (int r : before) {
    if (r != leader && target.size() < 2) target.push_back(r);
  }
  target.push_back(newcomer);
  reassign(cluster, "failover", target);
  cluster.kill9(controller);
  if (leader != controller) cluster.kill9(leader);
  cluster.start(controller);
  if (leader != controller) cluster.start(leader);
  wait_for_reassignment(cluster, "failover", target);
  wait_for_identical(cluster, "failover", target, 1);
}

TEST_CASE("a node with a wiped data directory is kept out until reassigned", "[reassign]") {
  TempDir dir("millrace-reassign");
  ClusterProcess cluster(dir.path(), kNodes, fast_raft_args());
  cluster.start_all();
  const int controller = cluster.wait_for_controller();
  cluster.create_topic_or_throw("wiped", 1, 3);
  const int leader = leader_now(cluster, "wiped");
  const std::vector<int> before = replicas_of(cluster, leader, "wiped");
  int victim = -1;
  for (int r : before) {
    if (r != leader && r != controller) victim = r;
  }
  REQUIRE(victim >= 0);
  {
    Load warm(cluster, "wiped");
    REQUIRE(wait_until([&] { return warm.acked.ok >= 300; }, 20s));
  }
  cluster.stop(victim);
  std::filesystem::remove_all(cluster.node(victim).data_dir());
  std::filesystem::create_directories(cluster.node(victim).data_dir());
  cluster.start(victim);
  // It relearns the topic from the controller log but refuses to serve or vote for its replica.
  bool refused = wait_until(
      [&] {
        auto d = cluster.describe(victim, "wiped");
        return d && d->partitions_size() == 1 &&
               d->partitions(0).error_message().find("lost its copy") != std::string::npos;
      },
      20s);
  INFO(cluster.logs());
  REQUIRE(refused);
  CHECK(!std::filesystem::exists(cluster.node(victim).data_dir() / "wiped-0"));

  // The operator takes it out of the replica set and adds it back: it rejoins as a learner.
  std::vector<int> without;
  for (int r : before) {
    if (r != victim) without.push_back(r);
  }
  reassign(cluster, "wiped", without);
  wait_for_reassignment(cluster, "wiped", without);
  // Back, through the command line tool, which waits for the completion.
  std::string replicas;
  for (int r : before) replicas += (replicas.empty() ? "" : ",") + std::to_string(r);
  const auto cli =
      run_command({millrace_cli_path(), "--bootstrap", cluster.bootstrap(), "partition", "reassign", "wiped",
                   "0", "--replicas", replicas, "--wait", "--timeout-ms", "30000"},
                  "", 60s);
  INFO(cli.out << cli.err);
  CHECK(cli.exit_code == 0);
  CHECK(cli.out.find("complete: replicas [" + replicas + "]") != std::string::npos);
  wait_for_reassignment(cluster, "wiped", before);
  wait_for_identical(cluster, "wiped", before, 300);

  // Wiped again: replaying the reassignment that added it back must not let it in either (it was a voter).
  cluster.stop(victim);
  std::filesystem::remove_all(cluster.node(victim).data_dir());
  std::filesystem::create_directories(cluster.node(victim).data_dir());
  cluster.start(victim);
  // A topic created now is applied after the whole history: once the node knows it, it has replayed all.
  cluster.create_topic_or_throw("marker", 1, 1);
  REQUIRE(wait_until(
      [&] {
        auto d = cluster.describe(victim, "marker");
        return d && d->error_code() == 0;
      },
      20s));
  auto after = cluster.describe(victim, "wiped");
  REQUIRE(after);
  REQUIRE(after->partitions_size() == 1);
  CHECK(std::vector<int>(after->partitions(0).replicas().begin(), after->partitions(0).replicas().end()) ==
        before);
  CHECK(after->partitions(0).error_message().find("lost its copy") != std::string::npos);
}

TEST_CASE("a new replica behind the leader's deleted prefix gets a snapshot, then appends", "[reassign]") {
  TempDir dir("millrace-reassign");
  auto args = fast_raft_args();
  args.insert(args.end(), {"--set", "retention_check_interval_ms=100"});
  ClusterProcess cluster(dir.path(), kNodes, args);
  cluster.start_all();
  cluster.wait_for_controller();
  cluster.create_topic_or_throw("short", 1, 3, {{"segment.bytes", "4096"}, {"retention.bytes", "8192"}});
  const int leader = leader_now(cluster, "short");
  const std::vector<int> before = replicas_of(cluster, leader, "short");
  {
    Load warm(cluster, "short");
    REQUIRE(wait_until([&] { return warm.acked.ok >= 3000; }, 30s));
  }
  // Retention deleted a prefix on the leader.
  REQUIRE(wait_until(
      [&] {
        auto d = cluster.describe(leader, "short");
        return d && d->partitions(0).log_start_offset() > 0;
      },
      10s));
  int newcomer = -1;
  for (int i = 0; i < kNodes; ++i) {
    if (std::find(before.begin(), before.end(), i) == before.end()) newcomer = i;
  }
  std::vector<int> target{leader, newcomer};
  for (int r : before) {
    if (r != leader && target.size() < 3) target.push_back(r);
  }
  reassign(cluster, "short", target);
  wait_for_reassignment(cluster, "short", target);
  auto d = cluster.describe(newcomer, "short");
  REQUIRE(d);
  CHECK(d->partitions(0).log_start_offset() > 0);
  {
    Load more(cluster, "short");
    REQUIRE(wait_until([&] { return more.acked.ok >= 200; }, 20s));
  }
  wait_for_identical(cluster, "short", target, 3200);

  // A follower that was down while the leader's retention passed its log end catches up the same way.
  const int follower = target.back();
  auto seen = cluster.describe(follower, "short");
  REQUIRE(seen);
  const int64_t follower_end = seen->partitions(0).log_end_offset();
  cluster.stop(follower);
  {
    Load more(cluster, "short");
    REQUIRE(wait_until(
        [&] {
          for (int i : {target[0], target[1]}) {
            auto l = cluster.describe(i, "short");
            if (!l || l->partitions(0).log_start_offset() <= follower_end) return false;
          }
          return true;
        },
        30s));
  }
  cluster.start(follower);
  wait_for_identical(cluster, "short", target, follower_end + 1);
}

TEST_CASE("an existing partition moves onto a broker beyond the initial peers by reassignment",
          "[reassign]") {
  TempDir dir("millrace-reassign");
  ClusterProcess cluster(dir.path(), 3, fast_raft_args());
  cluster.start_all();
  cluster.wait_for_controller();
  cluster.create_topic_or_throw("growing", 1, 3);
  Load load(cluster, "growing");
  REQUIRE(wait_until([&] { return load.acked.ok >= 300; }, 20s));

  // A new machine: node 3, not among the --peers, with an empty data directory. Before it registers, the
  // controller refuses it as a replica; once registered, the partition moves onto it under load.
  auto admin = Admin::create(connection_to(cluster));  // bootstraps from the three running nodes
  REQUIRE(admin.ok());
  const int extra = cluster.add_broker(fast_raft_args());
  auto early = (*admin)->reassign_partition("growing", 0, {NodeId{extra}, NodeId{1}, NodeId{2}});
  REQUIRE_FALSE(early.ok());
  CHECK(early.error().code == errc::invalid_replica_assignment);
  cluster.start(extra);
  cluster.wait_for_controller();  // also waits until the controller counts node 3 as alive
  const std::vector<int> target{extra, 1, 2};
  reassign(cluster, "growing", target);
  wait_for_reassignment(cluster, "growing", target);
  load.finish();
  INFO(load.acked.first_error);
  CHECK(load.acked.failed == 0);
  int64_t acked_end = 0;
  for (const auto& [value, where] : load.acked.by_value) acked_end = std::max(acked_end, where.second + 1);
  wait_for_identical(cluster, "growing", target, acked_end);
  check_read_back(cluster, "growing", load.acked);
  CHECK(wait_until([&] { return !std::filesystem::exists(cluster.node(0).data_dir() / "growing-0"); }, 10s));
}
