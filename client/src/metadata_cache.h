#pragma once
// MetadataCache: the current ClusterMetadata snapshot of one client object, and a way to wait for the
// next refresh.
//
// Contract: thread-safe. The I/O thread applies refresh results (apply / note_failure); any thread reads
// snapshots and may block in wait_for_attempt_after (never the I/O thread: it would wait for itself).
// Every refresh attempt, successful or not, counts as one attempt.
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>

#include "cluster_metadata.h"
#include "millrace/protocol/result.h"

namespace millrace::client::internal {

class MetadataCache {
 public:
  MetadataCache();

  std::shared_ptr<const ClusterMetadata> snapshot() const;
  // Completed refresh attempts so far.
  uint64_t attempts() const;
  // The error of the last attempt, if it failed.
  std::optional<Error> last_error() const;

  void apply(const wire::MetadataResponse& response);
  void note_failure(const Error& error);

  // Blocks until more than `attempt` attempts completed or `deadline` passes; false on timeout.
  bool wait_for_attempt_after(uint64_t attempt, std::chrono::steady_clock::time_point deadline) const;

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::shared_ptr<const ClusterMetadata> current_;
  uint64_t attempts_ = 0;
  std::optional<Error> last_error_;
};

}  // namespace millrace::client::internal
