#pragma once
// InvariantChecker: Raft's safety properties, checked after every event of a simulated run.
//
//   election safety        at most one leader per term
//   term monotonicity      a node's persisted term never goes back, and it votes at most once per term
//   commit monotonicity    a node's commit index never goes back (within one incarnation: it is not
//                          persisted, so a restarted node relearns it)
//   log matching           two logs holding an entry with the same offset and term are identical up to it
//   leader completeness    a new leader's log holds every entry committed so far
//   state-machine safety   every node commits the same entry at each offset; a committed entry is never
//                          removed from a node by truncation
//
// The checker mirrors each node's log as (offset range, term, chain hash) where the chain hash covers the
// entry and everything before it, so "identical up to here" is one comparison. Not thread-safe.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "millrace/replication/hard_state.h"
#include "millrace/replication/log_ops.h"

namespace millrace::sim {

class InvariantChecker {
 public:
  explicit InvariantChecker(int nodes);

  void on_hard_state(int node, const replication::HardState& previous, const replication::HardState& next);
  void on_log_ops(int node, const std::vector<replication::LogOp>& ops);
  // The node crashed and kept only entries below `flushed`.
  void on_crash(int node, Offset flushed);
  void on_restart(int node);
  void on_commit(int node, Offset commit_end);
  void on_leader(int node, replication::Term term);

  bool ok() const { return violation_.empty(); }
  const std::string& violation() const { return violation_; }

  Offset committed_end() const { return committed_.empty() ? Offset{0} : committed_.back().end; }
  int64_t committed_entries() const { return static_cast<int64_t>(committed_.size()); }
  // Whether the node's log holds every entry committed so far.
  bool holds_committed_prefix(int node) const;
  int64_t leaders_elected() const { return static_cast<int64_t>(leaders_.size()); }

 private:
  struct MirrorEntry {
    Offset base;
    Offset end;
    replication::Term term;
    uint64_t chain;  // hash of this entry and every entry before it
  };
  struct Mirror {
    Offset start{0};
    uint64_t start_chain = 0;  // chain of the entry just before start
    std::vector<MirrorEntry> entries;
    Offset checked_commit_end{0};
    Offset commit_end{0};
  };

  void fail(std::string what);
  void append(int node, const replication::Entry& entry);
  void truncate_suffix(int node, Offset end);
  void truncate_prefix(int node, Offset start);
  void reset(int node, Offset start);
  // The chain of the committed entry ending at `end` - 1 (0 for end 0); nullopt if none ends there.
  std::optional<uint64_t> committed_chain_ending_at(Offset end) const;
  // The node's chain ending at `end` - 1, nullopt if its log has no entry boundary there.
  std::optional<uint64_t> chain_ending_at(const Mirror& mirror, Offset end) const;
  const MirrorEntry* committed_at(Offset base) const;

  std::vector<Mirror> mirrors_;
  std::vector<MirrorEntry> committed_;                        // contiguous from offset 0
  std::map<std::pair<int64_t, int32_t>, uint64_t> appended_;  // (base offset, term) -> chain, ever appended
  std::map<int32_t, int> leaders_;                            // term -> node
  std::string violation_;
};

}  // namespace millrace::sim
