#pragma once
// LogOp: one change the core asks the driver to make to its RaftLog, in order. Appends only reach the page
// cache (or memory); the driver flushes them when it likes and reports with RaftNode::on_flushed().
#include <variant>
#include <vector>

#include "millrace/protocol/result.h"
#include "millrace/replication/raft_log.h"

namespace millrace::replication {

struct AppendOp {
  std::vector<Entry> entries;
};
struct TruncateSuffixOp {
  Offset end;
};
struct TruncatePrefixOp {
  LogStart start;
};
struct ResetOp {
  LogStart start;
};

using LogOp = std::variant<AppendOp, TruncateSuffixOp, TruncatePrefixOp, ResetOp>;

// Applies `ops` to `log` in order; stops at the first error.
Status apply_log_ops(RaftLog& log, const std::vector<LogOp>& ops);

}  // namespace millrace::replication
