#pragma once
// PageCacheWindow: bounds how much synced log data stays in the page cache. Each FlushJob notes, after its
// fsyncs, how far it synced each segment's .log; once more than `limit_bytes` of noted data is still cached,
// the oldest noted bytes are dropped from the page cache (File::drop_cached) until `limit_bytes` remain. A
// caller with plain Files instead of segments (the ingest floor, tools/ingestfloor) notes synced ranges
// itself. Reads of dropped bytes still work, from the disk; what stays cached is the most recently written
// data, which tailing consumers and followers read. Why (docs/storage.md, "The page-cache window"): a
// page-cache write into a page the kernel has just freed is a copy, while a write into a never-used page can
// cost many times more where the hypervisor backs guest memory lazily; dropping old pages as new ones are
// written keeps writes on recycled pages, and the broker's page-cache footprint bounded.
//
// Thread-safety: every method may be called from any thread. A SegmentFile is noted by one window only.
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

namespace millrace::storage {

class File;
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
  // Bytes [from, to) of `file` are synced: the same, for a File that is not a segment's. A file's ranges are
  // noted in order, each from where the one before ended. A file destroyed meanwhile is not dropped from.
  void note_synced(const std::shared_ptr<File>& file, int64_t from, int64_t to);

  // Noted bytes not dropped yet, and all bytes dropped so far.
  int64_t cached_bytes() const;
  int64_t dropped_bytes() const;

  // Bytes the noted data may exceed the limit by before a drop: fewer, larger posix_fadvise calls.
  static constexpr int64_t kDropStepBytes = 4 << 20;

 private:
  struct Range {
    std::weak_ptr<File> file;  // a segment's .log shares the segment's ownership
    int64_t from;
    int64_t to;
  };
  // Under mutex_: notes the range and returns what to drop (dropped outside the lock).
  std::vector<Range> note_locked(const std::shared_ptr<File>& file, int64_t from, int64_t to);
  static void drop(const std::vector<Range>& drops);

  const int64_t limit_;
  mutable std::mutex mutex_;
  std::deque<Range> ranges_;  // oldest first
  int64_t cached_ = 0;
  int64_t dropped_ = 0;
};

}  // namespace millrace::storage
