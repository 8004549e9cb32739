#pragma once
// TopicRegistry: the node's persistent list of topics (name, partition count, config overrides), kept in the
// node-local KV store under keys "topic/<name>". The controller will feed it once replication lands.
// Thread-safety: owner thread only.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "millrace/broker/topic_config.h"
#include "millrace/protocol/result.h"
#include "millrace/storage/kv_store.h"

namespace millrace::broker {

struct TopicRecord {
  std::string name;
  int32_t partitions = 0;
  TopicConfigOverrides configs;
  int64_t created_ms = 0;
  // Cluster mode: each partition's replicas (node ids, preferred leader first). Empty on a one-node broker.
  std::vector<std::vector<int32_t>> assignments;
};

class TopicRegistry {
 public:
  explicit TopicRegistry(storage::KvStore& store) : store_(store) {}

  Result<std::vector<TopicRecord>> load_all() const;
  Status put(const TopicRecord& topic);
  Status erase(const std::string& name);

 private:
  storage::KvStore& store_;
};

}  // namespace millrace::broker
