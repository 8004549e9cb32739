#pragma once
// Ready: what a RaftNode asks its driver to do, collected since the last take_ready(). The driver must, in
// this order:
//   1. persist `hard_state` durably (HardStateStore::save), if set;
//   2. apply `log_ops` to the log in order (appends go to the page cache; flush later, then on_flushed());
//   3. send `messages` (only now: a vote or a term in them may depend on step 1);
//   4. act on `commit_end` (entries below it are committed) and `leadership`.
// and finish before giving the node its next input.
#include <optional>
#include <vector>

#include "millrace/replication/hard_state.h"
#include "millrace/replication/log_ops.h"
#include "millrace/replication/message.h"

namespace millrace::replication {

enum class Role : uint8_t { follower, pre_candidate, candidate, leader };

struct LeadershipChange {
  Role role;
  std::optional<NodeId> leader;
  Term term;
};

struct Ready {
  std::optional<HardState> hard_state;
  std::vector<LogOp> log_ops;
  std::vector<Message> messages;
  std::optional<Offset> commit_end;  // rises monotonically for the lifetime of the RaftNode
  std::optional<LeadershipChange> leadership;

  bool empty() const {
    return !hard_state && log_ops.empty() && messages.empty() && !commit_end && !leadership;
  }
};

const char* role_name(Role role);

}  // namespace millrace::replication
