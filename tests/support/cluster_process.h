#pragma once
// ClusterProcess: a cluster of real millraced processes on loopback ports chosen at run time, for
// integration tests. The ports are picked before any node starts, because every node is given the same
// --peers list (node i is "i@127.0.0.1:port(i)"). Each node is a BrokerProcess with its data in
// <dir>/node-<i> and its output in <dir>/node-<i>.log; any node can be stopped, killed (-9), paused
// (SIGSTOP), resumed and restarted with its data and port.
//
// The query helpers talk the native protocol to one node (RawClient) and never throw for a node that is
// down or answers nothing: they return nullopt, so callers can poll them with wait_until.
//
// Not thread-safe: one test thread drives it.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker_process.h"
#include "millrace.pb.h"
#include "millrace/protocol/bytes.h"

namespace millrace::testing {

// Raft timing for tests that want quick elections (a follower campaigns after 300–600 ms of silence), and
// quick broker fencing (heartbeats every 100 ms, fenced after 1.5 s without one).
std::vector<std::string> fast_raft_args();

class ClusterProcess {
 public:
  // `extra_args` go to every node after --node-id, --listen, --data-dir and --peers; `node_args[i]` only to
  // node i (after extra_args), e.g. its --rack.
  ClusterProcess(std::filesystem::path dir, int nodes, std::vector<std::string> extra_args = {},
                 std::map<int, std::vector<std::string>> node_args = {});
  ~ClusterProcess();  // kills every node still running
  ClusterProcess(const ClusterProcess&) = delete;
  ClusterProcess& operator=(const ClusterProcess&) = delete;

  int size() const { return static_cast<int>(nodes_.size()); }
  BrokerProcess& node(int id) { return *nodes_.at(static_cast<size_t>(id)); }
  uint16_t port(int id) const { return nodes_.at(static_cast<size_t>(id))->port(); }
  // "127.0.0.1:p0,127.0.0.1:p1,..." (every node) or one node's address.
  std::string bootstrap() const;
  std::string bootstrap(int id) const;
  std::string peers() const;

  // Adds a broker beyond the initial voters (not started): node id size(), the same --peers as the others
  // (which do not list it), `extra_args` after them. Returns its id.
  int add_broker(std::vector<std::string> extra_args);

  // Starts the nodes in `order` (default 0..n-1), each once its port accepts connections.
  void start_all(const std::vector<int>& order = {});
  void start(int id) { node(id).start(); }
  std::optional<int> stop(int id) { return node(id).stop(); }
  void kill9(int id) { node(id).kill9(); }
  void pause(int id) { node(id).pause(); }
  void resume(int id) { node(id).resume(); }
  // Stops the node (if running), then starts it again with the same data and port.
  void restart(int id);
  // Nodes running and not paused.
  std::vector<int> live_nodes();
  // Every node's log, for failure messages.
  std::string logs() const;

  // ---- queries (nullopt if the node cannot be asked or answers with an error frame) ----
  std::optional<wire::MetadataResponse> metadata(int id, const std::vector<std::string>& topics = {});
  std::optional<wire::TopicDescription> describe(int id, const std::string& topic);
  std::optional<wire::TopicResult> create_topic(int id, const std::string& name, int32_t partitions,
                                                int32_t replication_factor,
                                                const std::map<std::string, std::string>& configs = {});

  // Waits until every live node names the same controller and the controller has heard from every live
  // node; returns it (throws with the logs on timeout).
  int wait_for_controller(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Waits until one live node leads the partition and every other live node in its replica set agrees;
  // returns that node (throws with the logs on timeout). `not_node`: wait for a leader other than it.
  int wait_for_leader(const std::string& topic, int32_t partition,
                      std::chrono::milliseconds timeout = std::chrono::seconds(20), int not_node = -1);
  // Creates a topic through whichever node is the controller, retrying while the controller moves.
  void create_topic_or_throw(const std::string& name, int32_t partitions, int32_t replication_factor,
                             const std::map<std::string, std::string>& configs = {},
                             std::chrono::milliseconds timeout = std::chrono::seconds(20));

 private:
  std::filesystem::path dir_;
  std::string voters_;  // the --peers every node is given
  std::vector<std::unique_ptr<BrokerProcess>> nodes_;
};

// One replica's copy of a partition as node `port` serves it: the batches in [0, high_watermark), read with
// fetches from that node (which never return data above its own high watermark).
struct ReplicaCopy {
  int64_t high_watermark = -1;
  Buffer bytes;
};
std::optional<ReplicaCopy> read_replica(uint16_t port, const std::string& topic, int32_t partition);

// One fetch from `offset` on node `port` (no waiting): the result and its batch bytes.
struct FetchedPartition {
  wire::FetchPartitionResult result;
  Buffer bytes;
};
std::optional<FetchedPartition> fetch_once(uint16_t port, const std::string& topic, int32_t partition,
                                           int64_t offset, int32_t max_bytes = 1 << 20);

}  // namespace millrace::testing
