#pragma once
// Replication error codes, hooked into std::error_code via replication_category() ("millrace.replication").
// The broker maps them to Kafka's client-visible codes: not_leader to NOT_LEADER_OR_FOLLOWER (6),
// too_many_uncommitted_bytes to NOT_ENOUGH_REPLICAS (19), invalid_batch to CORRUPT_MESSAGE (2) or
// MESSAGE_TOO_LARGE (10), the rest to UNKNOWN_SERVER_ERROR or an admin error.
#include <system_error>

namespace millrace::replication {

enum class errc : int {
  not_leader = 1,                    // only the leader takes proposals, transfers and configuration changes
  leadership_transfer_in_progress,   // proposals wait until the transfer ends
  configuration_change_in_progress,  // one change at a time; also before the leader commits in its term
  invalid_configuration_change,      // adding a member twice, removing a non-member, the last voter, ...
  learner_not_caught_up,             // a learner is promoted only once it holds the committed log
  invalid_batch,                     // not one whole record batch, a control batch, or over max_entry_bytes
  too_many_uncommitted_bytes,        // back-pressure: max_uncommitted_bytes are waiting for a quorum
  offset_out_of_range,               // prefix truncation past the commit index, reads outside the log
  invalid_argument,                  // a caller broke a precondition the outside world can cause
};

const std::error_category& replication_category() noexcept;
std::error_code make_error_code(errc e) noexcept;

}  // namespace millrace::replication

template <>
struct std::is_error_code_enum<millrace::replication::errc> : std::true_type {};
