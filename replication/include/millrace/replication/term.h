#pragma once
// Term: a Raft term. Stored in every record batch's partition-leader-epoch field (int32), so it is an int32.
// Term 0 means "no leader yet"; the first election produces term 1.
#include <cstdint>
#include <limits>

#include "millrace/protocol/strong_types.h"

namespace millrace::replication {

using Term = StrongValue<struct TermTag, int32_t>;

constexpr Term kNoTerm{0};
constexpr Term kMaxTerm{std::numeric_limits<int32_t>::max()};

}  // namespace millrace::replication
