#include "metadata_cache.h"

namespace millrace::client::internal {

MetadataCache::MetadataCache() : current_(std::make_shared<const ClusterMetadata>()) {}

std::shared_ptr<const ClusterMetadata> MetadataCache::snapshot() const {
  std::lock_guard lock(mutex_);
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
