#pragma once
// HardState: what Raft persists outside the log — the current term and the vote cast in it. It must be
// durable before any message that depends on it is sent (RaftNode::take_ready says when).
//
// HardStateStore: where it lives. The broker's implementation will keep it in RocksDB (design brief,
// decision 5); MemoryHardStateStore is for tests and the simulator, where "durable" means "survives the
// simulated crash".
#include <optional>

#include "millrace/protocol/result.h"
#include "millrace/protocol/strong_types.h"
#include "millrace/replication/term.h"

namespace millrace::replication {

struct HardState {
  Term term{0};
  std::optional<NodeId> voted_for;  // in `term`
  bool operator==(const HardState&) const = default;
};

class HardStateStore {
 public:
  virtual ~HardStateStore() = default;
  // The last saved state ({0, none} if nothing was ever saved).
  virtual Result<HardState> load() const = 0;
  // Saves durably: when this returns ok, load() after any crash returns `state` (or a later one).
  virtual Status save(const HardState& state) = 0;
};

class MemoryHardStateStore final : public HardStateStore {
 public:
  Result<HardState> load() const override { return state_; }
  Status save(const HardState& state) override {
    state_ = state;
    ++saves_;
    return {};
  }
  int saves() const { return saves_; }

 private:
  HardState state_;
  int saves_ = 0;
};

}  // namespace millrace::replication
