// PageCacheWindow through real FlushJobs: what it drops from the page cache (checked with mincore) and what
// it keeps, and that dropped data still reads back.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <filesystem>
#include <vector>

#include <catch2/catch.hpp>

#include "millrace/storage/page_cache_window.h"
#include "storage_test_support.h"

using namespace millrace;
using namespace millrace::storage;
using namespace millrace::storage::test;

namespace {

constexpr int64_t kMiB = 1 << 20;
constexpr long kTmpfsMagic = 0x01021994;
constexpr int64_t kFolioSlack = 64 << 10;

// tmpfs pages cannot be dropped (they are the only copy): use the working directory (the build tree) then.
std::filesystem::path cacheable_parent() {
  struct statfs fs {};
  const auto temp = std::filesystem::temp_directory_path();
  if (::statfs(temp.c_str(), &fs) == 0 && fs.f_type != kTmpfsMagic) return temp;
  return std::filesystem::current_path();
}

// A TempDir whose pages the kernel can drop.
class CacheableDir : public TempDir {
 public:
  CacheableDir() : TempDir(cacheable_parent()) {
    struct statfs fs {};
    REQUIRE(::statfs(path().c_str(), &fs) == 0);
    REQUIRE(fs.f_type != kTmpfsMagic);
  }
};

std::filesystem::path segment_log(const std::filesystem::path& partition_dir) {
  for (const auto& entry : std::filesystem::directory_iterator(partition_dir)) {
    if (entry.path().extension() == ".log") return entry.path();
  }
  FAIL("no .log in " << partition_dir);
  return {};
}

// Pages of [from, to) of the file that are in the page cache.
int64_t resident_pages(const std::filesystem::path& file, int64_t from, int64_t to) {
  const int64_t page = ::sysconf(_SC_PAGESIZE);
  const auto size = static_cast<int64_t>(std::filesystem::file_size(file));
  const int fd = ::open(file.c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  void* map = ::mmap(nullptr, static_cast<size_t>(size), PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  REQUIRE(map != MAP_FAILED);
  std::vector<unsigned char> in_core(static_cast<size_t>((size + page - 1) / page));
  REQUIRE(::mincore(map, static_cast<size_t>(size), in_core.data()) == 0);
  ::munmap(map, static_cast<size_t>(size));
  int64_t resident = 0;
  for (int64_t p = from / page; p < (to + page - 1) / page && p < static_cast<int64_t>(in_core.size()); ++p) {
    resident += in_core[static_cast<size_t>(p)] & 1;
  }
  return resident;
}

// Appends about `bytes` in 64 KiB batches; returns them.
std::vector<Buffer> fill(PartitionLog& log, int64_t bytes, int seed) {
  std::vector<Buffer> batches;
  for (int64_t written = 0; written < bytes;) {
    batches.push_back(make_batch(64, 1024, seed + static_cast<int>(batches.size())));
    written += static_cast<int64_t>(batches.back().size());
    append(log, batches.back());
  }
  return batches;
}

void flush(PartitionLog& log, PageCacheWindow& window) {
  const FlushJob job = log.prepare_flush();
  REQUIRE(job.run(&window).ok());
  log.mark_flushed(job.flushed_up_to());
}

}  // namespace

TEST_CASE("the page-cache window drops the oldest synced data over its limit and keeps the newest") {
  CacheableDir dir;
  auto a = open_log(dir.path() / "a-0");
  auto b = open_log(dir.path() / "b-0");
  PageCacheWindow window(1 * kMiB);
  const int64_t page = ::sysconf(_SC_PAGESIZE);

  const std::vector<Buffer> a_batches = fill(*a, 3 * kMiB, 0);
  flush(*a, window);
  const auto a_file = segment_log(dir.path() / "a-0");
  const auto a_size = static_cast<int64_t>(std::filesystem::file_size(a_file));
  // Over the limit by less than a drop step: nothing dropped yet.
  CHECK(window.cached_bytes() == a_size);
  CHECK(window.dropped_bytes() == 0);
  CHECK(resident_pages(a_file, 0, a_size) >= a_size / page * 9 / 10);

  fill(*b, 3 * kMiB, 1000);
  flush(*b, window);
  const auto b_file = segment_log(dir.path() / "b-0");
  const auto b_size = static_cast<int64_t>(std::filesystem::file_size(b_file));
  INFO("a " << a_size << " bytes, b " << b_size << " bytes");
  // Now over by more than a step: dropped down to the limit, oldest (all of a) first.
  CHECK(window.cached_bytes() == 1 * kMiB);
  CHECK(window.dropped_bytes() == a_size + b_size - 1 * kMiB);
  // A cached folio that straddles the end of a dropped range stays: kFolioSlack at such ends.
  CHECK(resident_pages(a_file, 0, a_size - kFolioSlack) == 0);
  CHECK(resident_pages(b_file, 0, b_size - 1 * kMiB - kFolioSlack) == 0);  // b's dropped head
  CHECK(resident_pages(b_file, b_size - 1 * kMiB + page, b_size) >= (1 * kMiB / page - 2) * 9 / 10);

  // Dropped bytes still read back, from the disk.
  const auto spans = read_everything(*a, 64 * kMiB);
  REQUIRE(spans.size() == a_batches.size());
  for (size_t i = 0; i < spans.size(); ++i) {
    CHECK(spans[i].next_offset - spans[i].base_offset == 64);
  }
  CHECK(resident_pages(a_file, 0, a_size) >= a_size / page * 9 / 10);  // the read brought them back
}

TEST_CASE("a zero page-cache window, or a flush without one, drops nothing") {
  CacheableDir dir;
  auto log = open_log(dir.path() / "t-0");
  PageCacheWindow off(0);
  fill(*log, 6 * kMiB, 0);
  flush(*log, off);
  fill(*log, 1 * kMiB, 100);
  REQUIRE(log->prepare_flush().run().ok());
  const auto file = segment_log(dir.path() / "t-0");
  const auto size = static_cast<int64_t>(std::filesystem::file_size(file));
  CHECK(off.cached_bytes() == 0);
  CHECK(off.dropped_bytes() == 0);
  CHECK(resident_pages(file, 0, size) >= size / ::sysconf(_SC_PAGESIZE) * 9 / 10);
}

TEST_CASE("the page-cache window notes a segment from where its previous note ended") {
  CacheableDir dir;
  auto log = open_log(dir.path() / "t-0");
  PageCacheWindow window(64 * kMiB);
  fill(*log, 1 * kMiB, 0);
  flush(*log, window);
  const int64_t first = window.cached_bytes();
  fill(*log, 1 * kMiB, 100);
  flush(*log, window);
  const auto size = static_cast<int64_t>(std::filesystem::file_size(segment_log(dir.path() / "t-0")));
  CHECK(first > 0);
  CHECK(window.cached_bytes() == size);  // each byte noted once
  CHECK(window.dropped_bytes() == 0);
}
