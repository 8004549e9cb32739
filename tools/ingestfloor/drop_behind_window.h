#pragma once
// DropBehindWindow: the ingest floor's copy of storage::PageCacheWindow, the broker's bound on synced data in
// the page cache (docs/storage.md, "The page-cache window"). The flusher notes each range it has synced; once
// the noted bytes still cached reach the limit plus kDropStepBytes, the oldest noted bytes (of any file) are
// dropped with File::drop_cached until `limit_bytes` remain. It is a copy because PageCacheWindow notes
// storage's SegmentFiles, an internal of storage that keeps the window's per-file mark: it cannot be given
// the plain Files the floor writes.
//
// Thread-safety: none; one thread (the flusher) uses it. The noted Files must outlive it.
#include <cstdint>
#include <deque>

#include "millrace/storage/file.h"
#include "millrace/storage/page_cache_window.h"

namespace millrace::ingestfloor {

class DropBehindWindow {
 public:
  // 0: drop nothing.
  explicit DropBehindWindow(int64_t limit_bytes);

  // Bytes [from, to) of `file` are synced. Ranges of one file are noted in order, each where the last ended.
  void note_synced(storage::File& file, int64_t from, int64_t to);

  int64_t cached_bytes() const { return cached_; }    // noted and not dropped yet
  int64_t dropped_bytes() const { return dropped_; }  // dropped so far

  // The broker's step: the noted bytes may exceed the limit by this much before a drop.
  static constexpr int64_t kDropStepBytes = storage::PageCacheWindow::kDropStepBytes;

 private:
  struct Range {
    storage::File* file;
    int64_t from;
    int64_t to;
  };

  const int64_t limit_;
  std::deque<Range> ranges_;  // oldest first
  int64_t cached_ = 0;
  int64_t dropped_ = 0;
};

}  // namespace millrace::ingestfloor
