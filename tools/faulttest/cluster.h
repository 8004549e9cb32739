#pragma once
// Cluster: N millraced nodes on loopback ports with one userspace fault proxy on every directed link between
// nodes (N·(N−1) proxies). Node i reaches node j only through proxy (i→j), because node i's --peers list
// gives j's address as that proxy's port; cutting a node off blackholes every proxy into and out of it.
//
// Clients are bootstrapped to the nodes' real ports. A metadata answer from node i advertises the other nodes
// at i's proxy ports (that is where i's peers list says they are), so a client that learned a leader from
// node i reaches it through proxy (i→leader) and is cut off with it: it stands on i's side of the cut.
//
// Not thread-safe: one thread (the runner, or the fault injector while it runs) drives it.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fault_proxy.h"
#include "node_process.h"

namespace millrace::faulttest {

struct ClusterOptions {
  int32_t nodes = 3;
  std::filesystem::path dir;                 // data directories and logs go here
  std::string millraced;                     // path of the daemon
  std::vector<std::string> broker_settings;  // KEY=VALUE, each passed as --set
};

class Cluster {
 public:
  explicit Cluster(ClusterOptions options);
  ~Cluster();  // stops the nodes (SIGKILL if they do not stop) and the proxies
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  // Picks ports, starts the proxies and the nodes; throws if a node does not come up.
  void start();
  // Graceful stop of every node, then the proxies.
  void stop();

  int32_t size() const { return options_.nodes; }
  NodeProcess& node(int32_t id) { return *nodes_[static_cast<size_t>(id)]; }
  // "127.0.0.1:P0,127.0.0.1:P1,..." — the real ports.
  std::string bootstrap() const;
  std::vector<uint16_t> ports() const;

  // Blackholes both directions of every proxy between `id` and the other nodes.
  void isolate(int32_t id);
  // Every proxy back to pass (frames dropped before are not restored). The connections that crossed a
  // blackhole are reset first: their streams lost bytes mid-way, which real TCP never delivers (a partition
  // delays bytes or ends the connection), and a receiver may read the gap as the length of a frame that
  // never completes, leaving that link silent while both nodes live.
  void heal_network();

  // The leader of `topic`/`partition` as the serving nodes see it: a node that says it leads wins;
  // otherwise nullopt. Asks each serving node with a short timeout.
  std::optional<int32_t> leader_of(const std::string& topic, int32_t partition);

 private:
  faultproxy::FaultProxy& proxy(int32_t from, int32_t to);

  ClusterOptions options_;
  std::vector<uint16_t> ports_;
  std::vector<std::unique_ptr<faultproxy::FaultProxy>> proxies_;  // [from * nodes + to], null on the diagonal
  std::vector<std::unique_ptr<NodeProcess>> nodes_;
  std::vector<bool> blackholed_;  // per proxy, like proxies_: blackholed since the last heal
};

}  // namespace millrace::faulttest
