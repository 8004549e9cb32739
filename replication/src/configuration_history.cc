#include "configuration_history.h"

#include <algorithm>
#include <cassert>

namespace millrace::replication {

ConfigurationHistory::ConfigurationHistory(Configuration initial, Offset before_offset) {
  entries_.emplace_back(before_offset, std::move(initial));
}

const Configuration& ConfigurationHistory::in_force_below(Offset end) const {
  auto it = entries_.end();
  while (it - 1 != entries_.begin() && (it - 1)->first >= end) --it;
  return (it - 1)->second;
}

void ConfigurationHistory::append(Offset offset, Configuration configuration) {
  assert(offset > entries_.back().first);
  entries_.emplace_back(offset, std::move(configuration));
}

void ConfigurationHistory::truncate_suffix(Offset end) {
  while (entries_.size() > 1 && entries_.back().first >= end) entries_.pop_back();
  assert(entries_.back().first < end);
}

void ConfigurationHistory::truncate_prefix(Offset start) {
  size_t in_force = 0;
  while (in_force + 1 < entries_.size() && entries_[in_force + 1].first < start) ++in_force;
  entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(in_force));
}

void ConfigurationHistory::reset(Configuration configuration, Offset before_offset) {
  entries_.clear();
  entries_.emplace_back(before_offset, std::move(configuration));
}

}  // namespace millrace::replication
