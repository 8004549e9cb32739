#pragma once
// BrokerRegistry: the cluster's brokers as the controller log says (docs/replication.md, "Brokers"): each
// registered broker's node id, advertised address, rack and whether it is fenced. Every node applies the
// controller's RegisterBroker / FenceBroker / UnfenceBroker commands here, in log order; the records are kept
// in the node-local KV store under "broker/<node id>" (a wire::BrokerInfo) so a restart has them at once.
// Applying a command twice leaves the same state (replays after a crash are harmless).
//
// Thread-safety: owner (network) thread only.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "millrace/broker/broker_config.h"
#include "millrace/protocol/result.h"
#include "millrace/storage/kv_store.h"

namespace millrace::broker {

struct BrokerRecord {
  int32_t node_id = 0;
  HostPort address;
  std::string rack;  // empty: none
  bool fenced = false;
};

class BrokerRegistry {
 public:
  explicit BrokerRegistry(storage::KvStore& store) : store_(store) {}

  // Reads every stored record.
  Status load();
  // First registration or a new address/rack: the broker is recorded unfenced.
  Status register_broker(const BrokerRecord& record);
  // Fences or unfences a registered broker (an unknown node is ignored).
  Status set_fenced(int32_t node_id, bool fenced);

  const BrokerRecord* find(int32_t node_id) const;
  const std::map<int32_t, BrokerRecord>& all() const { return brokers_; }

 private:
  Status store(const BrokerRecord& record);

  storage::KvStore& store_;
  std::map<int32_t, BrokerRecord> brokers_;
};

}  // namespace millrace::broker
