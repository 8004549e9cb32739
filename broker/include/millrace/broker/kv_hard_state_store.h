#pragma once
// KvHardStateStore: a Raft group's hard state (term, vote) in the node's KvStore, under
// "raft/<group>" (design brief, decision 5). Writes are synced by the KvStore.
// Thread-safety: as the KvStore (the replica's owner calls it).
#include <string>

#include "millrace/broker/raft_group_id.h"
#include "millrace/replication/hard_state.h"
#include "millrace/storage/kv_store.h"

namespace millrace::broker {

class KvHardStateStore final : public replication::HardStateStore {
 public:
  KvHardStateStore(storage::KvStore& store, const RaftGroupId& group);
  Result<replication::HardState> load() const override;
  Status save(const replication::HardState& state) override;
  // Forgets the state (the group's replica is deleted).
  Status erase();

 private:
  storage::KvStore& store_;
  std::string key_;
};

}  // namespace millrace::broker
