#include "millrace/replication/raft_config.h"

#include "millrace/protocol/record_batch_format.h"
#include "millrace/replication/errc.h"

namespace millrace::replication {

Status RaftConfig::validate() const {
  if (election_timeout_ticks < 2 || heartbeat_interval_ticks < 1 ||
      heartbeat_interval_ticks >= election_timeout_ticks) {
    return make_error(errc::invalid_argument, "need 1 <= heartbeat_interval_ticks < election_timeout_ticks");
  }
  if (max_inflight_appends < 1) return make_error(errc::invalid_argument, "max_inflight_appends < 1");
  if (max_entry_bytes < protocol::batch_format::kHeaderSize || max_append_bytes < 1) {
    return make_error(errc::invalid_argument, "max_entry_bytes is smaller than a batch header");
  }
  if (max_inflight_bytes < max_append_bytes || max_uncommitted_bytes < max_entry_bytes) {
    return make_error(errc::invalid_argument,
                      "max_inflight_bytes must hold an append and max_uncommitted_bytes an entry");
  }
  return {};
}

}  // namespace millrace::replication
