#include "millrace/storage/page_cache_window.h"

#include <algorithm>
#include <cassert>

#include "millrace/storage/file.h"
#include "segment_file.h"

namespace millrace::storage {
namespace {

// posix_fadvise keeps the partial pages at both ends of a range: a range starts at its page's boundary, so
// the page it shares with the range dropped before it goes too (both are synced).
constexpr int64_t kPageBytes = 4096;

}  // namespace

PageCacheWindow::PageCacheWindow(int64_t limit_bytes) : limit_(limit_bytes) {
  assert(limit_bytes >= 0);
}

void PageCacheWindow::note_synced(const std::shared_ptr<SegmentFile>& file, int64_t end) {
  if (limit_ == 0 || file == nullptr) return;
  std::vector<Range> drops;
  {
    std::lock_guard lock(mutex_);
    int64_t& noted = file->cache_noted_end_;
    if (end <= noted) {
      noted = end;  // the .log was cut: note again from there (a range queued beyond it drops nothing needed)
      return;
    }
    // The .log, owned with its segment: a range queued for it lasts no longer than the segment.
    drops = note_locked(std::shared_ptr<File>(file, &file->log()), noted, end);
    noted = end;
  }
  drop(drops);
}

void PageCacheWindow::note_synced(const std::shared_ptr<File>& file, int64_t from, int64_t to) {
  if (limit_ == 0 || file == nullptr || to <= from) return;
  std::vector<Range> drops;
  {
    std::lock_guard lock(mutex_);
    drops = note_locked(file, from, to);
  }
  drop(drops);
}

std::vector<PageCacheWindow::Range> PageCacheWindow::note_locked(const std::shared_ptr<File>& file,
                                                                 int64_t from, int64_t to) {
  if (!ranges_.empty() && ranges_.back().to == from && ranges_.back().file.lock() == file) {
    ranges_.back().to = to;
  } else {
    ranges_.push_back({file, from, to});
  }
  cached_ += to - from;
  std::vector<Range> drops;
  if (cached_ < limit_ + kDropStepBytes) return drops;
  while (cached_ > limit_) {
    Range& oldest = ranges_.front();
    const int64_t take = std::min(cached_ - limit_, oldest.to - oldest.from);
    drops.push_back({oldest.file, oldest.from, oldest.from + take});
    oldest.from += take;
    cached_ -= take;
    dropped_ += take;
    if (oldest.from == oldest.to) ranges_.pop_front();
  }
  return drops;
}

void PageCacheWindow::drop(const std::vector<Range>& drops) {
  for (const Range& range : drops) {
    if (auto file = range.file.lock()) file->drop_cached(range.from / kPageBytes * kPageBytes, range.to);
  }
}

int64_t PageCacheWindow::cached_bytes() const {
  std::lock_guard lock(mutex_);
  return cached_;
}

int64_t PageCacheWindow::dropped_bytes() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

}  // namespace millrace::storage
