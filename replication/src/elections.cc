#include "elections.h"

#include <cassert>

namespace millrace::replication {

Term Elections::campaign_term() const {
  return state_.role() == Role::pre_candidate ? Term{state_.term().value + 1} : state_.term();
}

ElectionOutcome Elections::campaign(bool leadership_transfer) {
  assert(state_.role() == Role::pre_candidate || state_.role() == Role::candidate);
  granted_.clear();
  rejected_.clear();
  const bool pre_vote = state_.role() == Role::pre_candidate;
  if (state_.is_voter()) granted_.insert(state_.id());
  const LogView& log = state_.log();
  for (NodeId voter : state_.configuration().voters) {
    if (voter == state_.id()) continue;
    state_.send(voter, VoteRequest{campaign_term(), log.end_offset(), log.last_term(), pre_vote,
                                   leadership_transfer});
  }
  return tally();
}

bool Elections::log_is_up_to_date(const VoteRequest& request) const {
  const Term last_term = state_.log().last_term();
  return request.last_term > last_term ||
         (request.last_term == last_term && request.log_end >= state_.log().end_offset());
}

void Elections::on_vote_request(NodeId from, const VoteRequest& request) {
  // Only votes in our own term reach here; pre-votes may ask for a later one.
  const bool can_vote = state_.voted_for() == from || (!state_.voted_for() && !state_.leader()) ||
                        (request.pre_vote && request.term > state_.term());
  const bool granted = can_vote && log_is_up_to_date(request);
  if (granted && !request.pre_vote) {
    state_.vote_for(from);
    state_.reset_election_timer();
  }
  state_.send(from, VoteResponse{granted ? request.term : state_.term(), request.pre_vote, granted});
}

ElectionOutcome Elections::on_vote_response(NodeId from, const VoteResponse& response) {
  const bool campaigning = state_.role() == Role::pre_candidate || state_.role() == Role::candidate;
  if (!campaigning || response.pre_vote != (state_.role() == Role::pre_candidate))
    return ElectionOutcome::pending;
  if (response.granted && response.term != campaign_term()) return ElectionOutcome::pending;
  if (!state_.configuration().is_voter(from)) return ElectionOutcome::pending;
  if (granted_.count(from) || rejected_.count(from)) return ElectionOutcome::pending;  // a duplicate
  (response.granted ? granted_ : rejected_).insert(from);
  return tally();
}

ElectionOutcome Elections::tally() const {
  const size_t quorum = state_.configuration().quorum();
  if (granted_.size() >= quorum) return ElectionOutcome::won;
  if (rejected_.size() >= quorum) return ElectionOutcome::lost;
  return ElectionOutcome::pending;
}

}  // namespace millrace::replication
