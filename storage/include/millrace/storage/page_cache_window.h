#pragma once
// PageCacheWindow: bounds how much synced log data stays in the page cache. Each FlushJob notes, after its
// fsyncs, how far it synced each segment's .log; once more than `limit_bytes` of noted data is still cached,
// the oldest noted bytes are dropped from the page cache (File::drop_cached) until `limit_bytes` remain.
// Reads of dropped bytes still work, from the disk; what stays cached is the most recently written data,
// which tailing consumers and followers read. Why (docs/storage.md, "The page-cache window"): a page-cache
// write into a page the kernel has just freed is a copy, while a write into a never-used page can cost many
// times more where the hypervisor backs guest memory lazily; dropping old pages as new ones are written keeps
// writes on recycled pages, and the broker's page-cache footprint bounded.
//
// Thread-safety: every method may be called from any thread. A SegmentFile is noted by one window only.
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

namespace millrace::storage {

class SegmentFile;

class PageCacheWindow {
 public:
  // 0: drop nothing (the kernel decides what stays cached).
  explicit PageCacheWindow(int64_t limit_bytes);
  PageCacheWindow(const PageCacheWindow&) = delete;
  PageCacheWindow& operator=(const PageCacheWindow&) = delete;

  // `file`'s .log is synced up to byte `end`: notes the bytes since its previous note, then drops the oldest
  // noted bytes (of any file) over the limit, once they exceed it by at least kDropStepBytes.
  void note_synced(const std::shared_ptr<SegmentFile>& file, int64_t end);

  // Noted bytes not dropped yet, and all bytes dropped so far.
  int64_t cached_bytes() const;
  int64_t dropped_bytes() const;

  // Bytes the noted data may exceed the limit by before a drop: fewer, larger posix_fadvise calls.
  static constexpr int64_t kDropStepBytes = 4 << 20;

 private:
  struct Range {
    std::weak_ptr<SegmentFile> file;
    int64_t from;
    int64_t to;
  };

  const int64_t limit_;
  mutable std::mutex mutex_;
  std::deque<Range> ranges_;  // oldest first
  int64_t cached_ = 0;
  int64_t dropped_ = 0;
};

}  // namespace millrace::storage
