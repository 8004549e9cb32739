#pragma once
// MetadataCache: the current ClusterMetadata snapshot of one client object, and a way to wait for the
// next refresh.
//
// Contract: thread-safe. The I/O thread applies refresh results (apply / note_failure); any thread reads
// snapshots and may block in wait_for_attempt_after (never the I/O thread: it would wait for itself).
// Every refresh attempt, successful or not, counts as one attempt.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
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
  // The same, with the version it has (see version()).
  std::shared_ptr<const ClusterMetadata> snapshot(uint64_t& version) const;
  // Changes whenever the snapshot does, and no two snapshots in the process share one: a reader holding the
  // snapshot of a version may keep using it while version() returns that value (CachedSnapshot).
  uint64_t version() const { return version_.load(std::memory_order_acquire); }
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
  std::atomic<uint64_t> version_;  // written under mutex_ with current_
  uint64_t attempts_ = 0;
  std::optional<Error> last_error_;
};

// One reader's copy of a MetadataCache's snapshot, taken again only when the cache has a newer one: a use
// costs one atomic load instead of the cache's lock and a reference count (Producer::send_view keeps one per
// sending thread). As versions are unique in the process, one CachedSnapshot may serve several caches in
// turn. Not thread-safe.
class CachedSnapshot {
 public:
  // Valid until the next get() on this object.
  const ClusterMetadata& get(const MetadataCache& cache) {
    if (snapshot_ == nullptr || version_ != cache.version()) snapshot_ = cache.snapshot(version_);
    return *snapshot_;
  }

 private:
  uint64_t version_ = 0;
  std::shared_ptr<const ClusterMetadata> snapshot_;
};

}  // namespace millrace::client::internal
