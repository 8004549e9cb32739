#pragma once
// Elections: campaigning and voting. A campaign is a pre-vote round (if enabled, and not a leadership
// transfer), then a real vote. Pre-votes change nobody's term or vote, so a node that cannot win — because
// it is partitioned away, or its log is behind — never raises the cluster's term.
//
// Term handling (stepping down on a higher term, ignoring requests inside a leader lease) is RaftNode's;
// Elections sees only messages of the right term. Not thread-safe.
#include <set>

#include "node_state.h"

namespace millrace::replication {

enum class ElectionOutcome : uint8_t { pending, won, lost };

class Elections {
 public:
  explicit Elections(NodeState& state) : state_(state) {}

  // Sends (pre-)vote requests to the other voters for the state's current role; counts its own vote.
  ElectionOutcome campaign(bool leadership_transfer);
  void on_vote_request(NodeId from, const VoteRequest& request);
  ElectionOutcome on_vote_response(NodeId from, const VoteResponse& response);

 private:
  // The term a campaign asks for: term + 1 for a pre-vote, the (already raised) term for a vote.
  Term campaign_term() const;
  ElectionOutcome tally() const;
  bool log_is_up_to_date(const VoteRequest& request) const;

  NodeState& state_;
  std::set<NodeId> granted_;
  std::set<NodeId> rejected_;
};

}  // namespace millrace::replication
