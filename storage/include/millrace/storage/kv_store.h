#pragma once
// KvStore: the node-local key-value store (topic metadata, Raft hard state, checkpoints). Never the only copy
// of data that must survive losing the node: that lives in a replicated log and the store caches it.
//
// Keys and values are arbitrary bytes. Every write is synced (durable when it returns).
// Thread-safety: implementations are safe to call from several threads at once.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "millrace/protocol/result.h"

namespace millrace::storage {

class KvStore {
 public:
  using KeyValues = std::vector<std::pair<std::string, std::string>>;

  virtual ~KvStore() = default;

  // Sets `key` to `value`, replacing any previous value.
  virtual Status put(std::string_view key, std::string_view value) = 0;
  // The value of `key`, or nullopt if it has none.
  virtual Result<std::optional<std::string>> get(std::string_view key) const = 0;
  // Removes `key`; removing a missing key succeeds.
  virtual Status erase(std::string_view key) = 0;
  // Every key starting with `prefix`, with its value, in ascending byte order of the key.
  virtual Result<KeyValues> scan_prefix(std::string_view prefix) const = 0;
};

}  // namespace millrace::storage
