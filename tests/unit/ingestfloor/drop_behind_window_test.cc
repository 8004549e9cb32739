// DropBehindWindow: which synced bytes it drops from the page cache, and when (a File that records the
// drop_cached calls it gets).
#include "drop_behind_window.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <vector>

using millrace::ingestfloor::DropBehindWindow;

namespace {

constexpr int64_t kMiB = 1 << 20;
constexpr int64_t kStep = DropBehindWindow::kDropStepBytes;
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

TEST_CASE("The drop-behind window drops the oldest synced bytes of any file once a step over its limit") {
  DropBehindWindow window(8 * kMiB);
  RecordingFile a, b;
  window.note_synced(a, 0, 5 * kMiB);
  window.note_synced(b, 0, 5 * kMiB);
  window.note_synced(a, 5 * kMiB, 6 * kMiB);  // 11 MiB: less than a step (4 MiB) over the limit
  CHECK(window.cached_bytes() == 11 * kMiB);
  CHECK(window.dropped_bytes() == 0);
  CHECK(a.drops.empty());
  CHECK(b.drops.empty());

  window.note_synced(b, 5 * kMiB, 5 * kMiB + kStep);  // now at least a step over: down to 8 MiB, oldest first
  CHECK(window.cached_bytes() == 8 * kMiB);
  CHECK(window.dropped_bytes() == 7 * kMiB);
  CHECK(a.drops == std::vector<Drop>{{0, 5 * kMiB}});
  CHECK(b.drops == std::vector<Drop>{{0, 2 * kMiB}});
}

TEST_CASE("The drop-behind window starts a drop at its page, and drops nothing with a limit of 0") {
  RecordingFile file;
  SECTION("a limit") {
    DropBehindWindow window(kStep);
    window.note_synced(file, 0, 100);
    window.note_synced(file, 100, 2 * kStep + 100);  // one range: the first is extended
    REQUIRE(file.drops == std::vector<Drop>{{0, kStep + 100}});
    window.note_synced(file, 2 * kStep + 100, 3 * kStep + 100);
    // The second drop starts at the page that holds its first byte (kStep + 100), which the first kept.
    CHECK(file.drops == std::vector<Drop>{{0, kStep + 100}, {kStep, 2 * kStep + 100}});
    CHECK(window.dropped_bytes() == 2 * kStep + 100);
  }
  SECTION("no limit") {
    DropBehindWindow window(0);
    window.note_synced(file, 0, 64 * kMiB);
    CHECK(file.drops.empty());
    CHECK(window.cached_bytes() == 0);
    CHECK(window.dropped_bytes() == 0);
  }
}
