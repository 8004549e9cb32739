#include "millrace/replication/log_ops.h"

namespace millrace::replication {

Status apply_log_ops(RaftLog& log, const std::vector<LogOp>& ops) {
  for (const LogOp& op : ops) {
    Status status = std::visit(
        [&log](const auto& o) -> Status {
          using T = std::decay_t<decltype(o)>;
          if constexpr (std::is_same_v<T, AppendOp>) return log.append(o.entries);
          if constexpr (std::is_same_v<T, TruncateSuffixOp>) return log.truncate_suffix(o.end);
          if constexpr (std::is_same_v<T, TruncatePrefixOp>) return log.truncate_prefix(o.start);
          if constexpr (std::is_same_v<T, ResetOp>) return log.reset(o.start);
        },
        op);
    if (!status) return status;
  }
  return {};
}

}  // namespace millrace::replication
