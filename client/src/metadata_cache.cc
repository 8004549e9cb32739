#include "metadata_cache.h"

namespace millrace::client::internal {

namespace {
// Versions are unique across the caches of the process, so a CachedSnapshot cannot mistake one cache's
// snapshot for another's.
uint64_t next_version() {
  static std::atomic<uint64_t> last{0};
  return last.fetch_add(1, std::memory_order_relaxed) + 1;
}
}  // namespace

MetadataCache::MetadataCache()
    : current_(std::make_shared<const ClusterMetadata>()), version_(next_version()) {}

std::shared_ptr<const ClusterMetadata> MetadataCache::snapshot() const {
  std::lock_guard lock(mutex_);
  return current_;
}

std::shared_ptr<const ClusterMetadata> MetadataCache::snapshot(uint64_t& version) const {
  std::lock_guard lock(mutex_);
  version = version_.load(std::memory_order_relaxed);
  return current_;
}

uint64_t MetadataCache::attempts() const {
  std::lock_guard lock(mutex_);
  return attempts_;
}

std::optional<Error> MetadataCache::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

void MetadataCache::apply(const wire::MetadataResponse& response) {
  {
    std::lock_guard lock(mutex_);
    auto next = std::make_shared<ClusterMetadata>(ClusterMetadata::merge(*current_, response));
    next->attempt = ++attempts_;
    next->updated_at = std::chrono::steady_clock::now();
    current_ = std::move(next);
    version_.store(next_version(), std::memory_order_release);
    last_error_.reset();
  }
  changed_.notify_all();
}

void MetadataCache::note_failure(const Error& error) {
  {
    std::lock_guard lock(mutex_);
    ++attempts_;
    last_error_ = error;
  }
  changed_.notify_all();
}

bool MetadataCache::wait_for_attempt_after(uint64_t attempt,
                                           std::chrono::steady_clock::time_point deadline) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_until(lock, deadline, [&] { return attempts_ > attempt; });
}

}  // namespace millrace::client::internal
