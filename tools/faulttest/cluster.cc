#include "cluster.h"

#include <algorithm>
#include <stdexcept>

#include "broker_process.h"
#include "millrace.pb.h"
#include "native_requests.h"

namespace millrace::faulttest {

namespace {
std::string loopback(uint16_t port) {
  return "127.0.0.1:" + std::to_string(port);
}
}  // namespace

Cluster::Cluster(ClusterOptions options) : options_(std::move(options)) {}

Cluster::~Cluster() {
  for (auto& node : nodes_) node->kill9();
  for (auto& p : proxies_)
    if (p) p->stop();
}

faultproxy::FaultProxy& Cluster::proxy(int32_t from, int32_t to) {
  return *proxies_[static_cast<size_t>(from * options_.nodes + to)];
}

void Cluster::start() {
  const int32_t n = options_.nodes;
  for (int32_t i = 0; i < n; ++i) ports_.push_back(testing::pick_free_port());
  proxies_.resize(static_cast<size_t>(n * n));
  blackholed_.assign(static_cast<size_t>(n * n), false);
  for (int32_t from = 0; from < n; ++from) {
    for (int32_t to = 0; to < n; ++to) {
      if (from == to) continue;
      faultproxy::FaultProxyOptions po;
      po.target_port = ports_[static_cast<size_t>(to)];
      // The node ports were only picked (bound and closed), so a proxy's ephemeral port can be one of them,
      // and that node then cannot bind its own. Keep such a proxy open until another port is drawn.
      std::vector<std::unique_ptr<faultproxy::FaultProxy>> colliding;
      while (true) {
        auto p = std::make_unique<faultproxy::FaultProxy>(po);
        if (auto st = p->start(); !st) throw std::runtime_error("proxy: " + st.error().to_string());
        if (std::find(ports_.begin(), ports_.end(), p->listen_port()) == ports_.end()) {
          proxies_[static_cast<size_t>(from * n + to)] = std::move(p);
          break;
        }
        colliding.push_back(std::move(p));
      }
      for (auto& c : colliding) c->stop();
    }
  }
  for (int32_t i = 0; i < n; ++i) {
    std::string peers;
    for (int32_t j = 0; j < n; ++j) {
      const uint16_t port = i == j ? ports_[static_cast<size_t>(j)] : proxy(i, j).listen_port();
      if (!peers.empty()) peers += ",";
      peers += std::to_string(j) + "@" + loopback(port);
    }
    const auto data_dir = options_.dir / ("node" + std::to_string(i));
    std::vector<std::string> argv = {options_.millraced,
                                     "--node-id",
                                     std::to_string(i),
                                     "--listen",
                                     loopback(ports_[static_cast<size_t>(i)]),
                                     "--data-dir",
                                     data_dir.string(),
                                     "--peers",
                                     peers};
    for (const auto& s : options_.broker_settings) {
      argv.push_back("--set");
      argv.push_back(s);
    }
    nodes_.push_back(std::make_unique<NodeProcess>(i, ports_[static_cast<size_t>(i)], std::move(argv),
                                                   options_.dir / ("node" + std::to_string(i) + ".log")));
  }
  for (auto& node : nodes_) node->start();
}

void Cluster::stop() {
  for (auto& node : nodes_) node->stop();
  for (auto& p : proxies_)
    if (p) p->stop();
}

std::string Cluster::bootstrap() const {
  std::string out;
  for (auto port : ports_) out += (out.empty() ? "" : ",") + loopback(port);
  return out;
}

std::vector<uint16_t> Cluster::ports() const {
  return ports_;
}

void Cluster::isolate(int32_t id) {
  for (int32_t other = 0; other < options_.nodes; ++other) {
    if (other == id) continue;
    proxy(id, other).blackhole(faultproxy::DirectionSet::both());
    proxy(other, id).blackhole(faultproxy::DirectionSet::both());
    blackholed_[static_cast<size_t>(id * options_.nodes + other)] = true;
    blackholed_[static_cast<size_t>(other * options_.nodes + id)] = true;
  }
}

void Cluster::heal_network() {
  for (size_t i = 0; i < proxies_.size(); ++i) {
    if (!proxies_[i]) continue;
    if (blackholed_[i]) proxies_[i]->reset();  // aborts the connections with a gap; heal() lets new ones in
    proxies_[i]->heal();
    blackholed_[i] = false;
  }
}

std::optional<int32_t> Cluster::leader_of(const std::string& topic, int32_t partition) {
  for (auto& node : nodes_) {
    if (!node->serving()) continue;
    try {
      testing::RawClient client(node->port(), std::chrono::milliseconds(1000));
      wire::MetadataRequest req;
      req.add_topics(topic);
      auto resp = testing::call<wire::MetadataResponse>(client, protocol::ApiKey::metadata, req);
      for (const auto& t : resp.topics()) {
        for (const auto& p : t.partitions()) {
          if (p.partition() == partition && p.leader() == node->node_id()) return node->node_id();
        }
      }
    } catch (const std::exception&) {
      // not answering: not the leader we can use
    }
  }
  return std::nullopt;
}

}  // namespace millrace::faulttest
