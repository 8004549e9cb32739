#pragma once
// Message: what Raft nodes of one group send each other. The core produces and consumes these values; how
// they travel (protobuf over the native protocol, or the simulator's network) is the driver's business.
//
// Offsets in messages are exclusive ends ("everything below"), like Kafka's high watermark and log end:
// `start` of an append is where its first entry begins, and the sender's log holds an entry of `prev_term`
// ending just before it (term 0 when `start` is the beginning of history).
#include <cstddef>
#include <string_view>
#include <variant>
#include <vector>

#include "millrace/protocol/strong_types.h"
#include "millrace/replication/configuration.h"
#include "millrace/replication/entry.h"
#include "millrace/replication/term.h"

namespace millrace::replication {

// A (pre-)vote request. A pre-vote asks "would you vote for me in `term`?" without anyone changing term.
struct VoteRequest {
  Term term;
  Offset log_end;  // the candidate's log end and the term of its last entry: how up to date it is
  Term last_term;
  bool pre_vote = false;
  bool leadership_transfer = false;  // sent after TimeoutNow: voters ignore their leader lease
};

struct VoteResponse {
  Term term;  // the request's term if granted, else the voter's current term
  bool pre_vote = false;
  bool granted = false;
};

struct AppendRequest {
  Term term;
  Offset start;  // the first entry's base offset (also for heartbeats, which carry no entries)
  Term prev_term;
  Offset commit_end;  // the leader's commit index (exclusive)
  std::vector<Entry> entries;
};

struct AppendResponse {
  Term term;
  Offset start;  // echoed from the request, to recognise stale responses
  bool success = false;
  Offset match_end;    // success: the follower's log now matches the leader's below this
  Offset durable_end;  // ... and is flushed below this (counts toward commit)
  Offset hint;         // rejection: where the leader should retry from
};

// Sent when the follower needs entries the leader has truncated away (prefix truncation): the follower's log
// restarts at `start`, after an entry of `prev_term`, with `configuration` in force.
struct SnapshotRequest {
  Term term;
  Offset start;
  Term prev_term;
  Configuration configuration;
};

struct SnapshotResponse {
  Term term;
  Offset start;  // the follower's log now matches below this
};

// Leadership transfer: "start an election now".
struct TimeoutNow {
  Term term;
};

using MessageBody = std::variant<VoteRequest, VoteResponse, AppendRequest, AppendResponse, SnapshotRequest,
                                 SnapshotResponse, TimeoutNow>;

struct Message {
  NodeId from;
  NodeId to;
  MessageBody body;

  Term term() const;
  std::string_view type_name() const;  // "AppendRequest", ...
  size_t entry_bytes() const;          // bytes of entries carried (0 unless an AppendRequest)
};

}  // namespace millrace::replication
