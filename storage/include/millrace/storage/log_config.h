#pragma once
// Per-partition storage settings (the broker fills them from broker defaults and topic overrides).
#include <cstdint>

namespace millrace::storage {

struct LogConfig {
  int64_t segment_bytes = 1024LL * 1024 * 1024;  // roll when the active segment would exceed this
  int64_t index_interval_bytes = 4096;           // one sparse index entry at least every this many bytes
  int64_t max_batch_bytes = 1024 * 1024 + 12;  // batches larger than this are treated as corrupt on recovery
};

}  // namespace millrace::storage
