#include "drop_behind_window.h"

#include <algorithm>
#include <cassert>

namespace millrace::ingestfloor {
namespace {

// posix_fadvise keeps the partial pages at both ends of a range: as in PageCacheWindow, a drop starts at its
// page's boundary, so the page it shares with the range dropped before it goes too (both are synced).
constexpr int64_t kPageBytes = 4096;

}  // namespace

DropBehindWindow::DropBehindWindow(int64_t limit_bytes) : limit_(limit_bytes) {
  assert(limit_bytes >= 0);
}

void DropBehindWindow::note_synced(storage::File& file, int64_t from, int64_t to) {
  if (limit_ == 0 || to <= from) return;
  if (!ranges_.empty() && ranges_.back().file == &file && ranges_.back().to == from) {
    ranges_.back().to = to;
  } else {
    ranges_.push_back({&file, from, to});
  }
  cached_ += to - from;
  if (cached_ < limit_ + kDropStepBytes) return;
  while (cached_ > limit_) {
    Range& oldest = ranges_.front();
    const int64_t take = std::min(cached_ - limit_, oldest.to - oldest.from);
    oldest.file->drop_cached(oldest.from / kPageBytes * kPageBytes, oldest.from + take);
    oldest.from += take;
    cached_ -= take;
    dropped_ += take;
    if (oldest.from == oldest.to) ranges_.pop_front();
  }
}

}  // namespace millrace::ingestfloor
