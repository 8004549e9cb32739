// PageCacheWindow given plain Files' synced ranges (as the ingest floor uses it): which bytes it drops from
// the page cache, and when (a File that records the drop_cached calls it gets).
#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <vector>

#include "millrace/storage/file.h"
#include "millrace/storage/page_cache_window.h"

using millrace::storage::PageCacheWindow;

namespace {

constexpr int64_t kMiB = 1 << 20;
constexpr int64_t kStep = PageCacheWindow::kDropStepBytes;
static_assert(kStep == 4 * kMiB, "the first test's numbers assume the broker's 4 MiB step");

struct Drop {
  int64_t from;
  int64_t to;
  bool operator==(const Drop&) const = default;
};

// A File that does nothing but remember what it was asked to drop.
class RecordingFile final : public millrace::storage::File {
 public:
  millrace::Status append(millrace::ByteView) override { return {}; }
  millrace::Result<size_t> read_at(int64_t, millrace::MutableByteView) const override { return size_t{0}; }
  millrace::Status sync() override { return {}; }
  void drop_cached(int64_t from, int64_t to) override { drops.push_back({from, to}); }
  millrace::Status truncate(int64_t) override { return {}; }
  int64_t size() const override { return 0; }
  millrace::Status close() override { return {}; }
  const std::filesystem::path& path() const override { return path_; }

  std::vector<Drop> drops;

 private:
  std::filesystem::path path_ = "recording";
};

}  // namespace

TEST_CASE("The page-cache window drops the oldest synced bytes of any File once a step over its limit") {
  PageCacheWindow window(8 * kMiB);
  auto a_file = std::make_shared<RecordingFile>();
  auto b_file = std::make_shared<RecordingFile>();
  RecordingFile& a = *a_file;
  RecordingFile& b = *b_file;
  window.note_synced(a_file, 0, 5 * kMiB);
  window.note_synced(b_file, 0, 5 * kMiB);
  window.note_synced(a_file, 5 * kMiB, 6 * kMiB);  // 11 MiB: less than a step (4 MiB) over the limit
  CHECK(window.cached_bytes() == 11 * kMiB);
  CHECK(window.dropped_bytes() == 0);
  CHECK(a.drops.empty());
  CHECK(b.drops.empty());

  // Now at least a step over: down to 8 MiB, oldest first.
  window.note_synced(b_file, 5 * kMiB, 5 * kMiB + kStep);
  CHECK(window.cached_bytes() == 8 * kMiB);
  CHECK(window.dropped_bytes() == 7 * kMiB);
  CHECK(a.drops == std::vector<Drop>{{0, 5 * kMiB}});
  CHECK(b.drops == std::vector<Drop>{{0, 2 * kMiB}});
}

TEST_CASE("The page-cache window starts a File's drop at its page and drops nothing with a limit of 0") {
  auto shared_file = std::make_shared<RecordingFile>();
  RecordingFile& file = *shared_file;
  SECTION("a limit") {
    PageCacheWindow window(kStep);
    window.note_synced(shared_file, 0, 100);
    window.note_synced(shared_file, 100, 2 * kStep + 100);  // one range: the first is extended
    REQUIRE(file.drops == std::vector<Drop>{{0, kStep + 100}});
    window.note_synced(shared_file, 2 * kStep + 100, 3 * kStep + 100);
    // The second drop starts at the page that holds its first byte (kStep + 100), which the first kept.
    CHECK(file.drops == std::vector<Drop>{{0, kStep + 100}, {kStep, 2 * kStep + 100}});
    CHECK(window.dropped_bytes() == 2 * kStep + 100);
  }
  SECTION("no limit") {
    PageCacheWindow window(0);
    window.note_synced(shared_file, 0, 64 * kMiB);
    CHECK(file.drops.empty());
    CHECK(window.cached_bytes() == 0);
    CHECK(window.dropped_bytes() == 0);
  }
}
