#pragma once
// ConfigurationHistory: the configurations in a node's log and the one in force at its start. The newest one
// is active as soon as it is appended (single-server changes take effect on append, not on commit), so a
// truncated suffix takes its configurations with it. Older configurations are kept while the log still holds
// their successors' predecessors, so `in_force_below(end)` can answer for any end in the log.
// Not thread-safe.
#include <utility>
#include <vector>

#include "millrace/protocol/strong_types.h"
#include "millrace/replication/configuration.h"

namespace millrace::replication {

class ConfigurationHistory {
 public:
  // `initial` is in force at `before_offset` + 1 (the log start; before_offset is start - 1).
  ConfigurationHistory(Configuration initial, Offset before_offset);

  const Configuration& active() const { return entries_.back().second; }
  // Base offset of the active configuration's entry (start - 1 for the initial one).
  Offset active_offset() const { return entries_.back().first; }
  // The configuration in force for entries below `end`: the newest one whose entry is below `end`.
  const Configuration& in_force_below(Offset end) const;

  void append(Offset offset, Configuration configuration);
  // Forgets configurations whose entries are at or after `end`; never the initial one.
  void truncate_suffix(Offset end);
  // Forgets configurations superseded before `start` (keeping the one in force there).
  void truncate_prefix(Offset start);
  // Only `configuration`, in force from `before_offset` + 1.
  void reset(Configuration configuration, Offset before_offset);

 private:
  std::vector<std::pair<Offset, Configuration>> entries_;  // ascending offsets, never empty
};

}  // namespace millrace::replication
