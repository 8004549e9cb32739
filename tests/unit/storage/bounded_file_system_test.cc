// BoundedFileSystem: descriptors stay near the limit, idle handles reopen transparently, dirty or busy ones
// are never closed, and a reopened handle refuses a file that was removed or replaced.
#include <dirent.h>
#include <unistd.h>

#include <algorithm>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "millrace/storage/bounded_file_system.h"
#include "millrace/storage/errc.h"
#include "storage_test_support.h"

using namespace millrace;
using namespace millrace::storage;
using namespace millrace::storage::test;

namespace {

// Descriptors this process has open now.
size_t open_descriptors() {
  size_t count = 0;
  DIR* dir = ::opendir("/proc/self/fd");
  REQUIRE(dir != nullptr);
  while (::readdir(dir) != nullptr) ++count;
  ::closedir(dir);
  return count;
}

ByteView view_of(const std::string& s) {
  return {s.data(), s.size()};
}

std::string read_all(const File& file) {
  std::string out(static_cast<size_t>(file.size()), '\0');
  auto n = file.read_at(0, {out.data(), out.size()});
  if (!n) FAIL("read " << file.path() << ": " << n.error().to_string());
  out.resize(*n);
  return out;
}

std::unique_ptr<File> open_file(BoundedFileSystem& fs, const std::filesystem::path& path,
                                OpenMode mode = OpenMode::create_new) {
  auto file = fs.open(path, mode);
  if (!file) FAIL("open " << path << ": " << file.error().to_string());
  return std::move(file).value();
}

}  // namespace

TEST_CASE("bounded file system keeps descriptors at the limit and reopens idle files on use") {
  TempDir dir;
  auto fs = BoundedFileSystem::create(posix_file_system(), 4);
  const size_t before = open_descriptors();
  std::vector<std::unique_ptr<File>> files;
  for (int i = 0; i < 40; ++i) {
    files.push_back(open_file(*fs, dir / ("f" + std::to_string(i))));
    REQUIRE(files.back()->append(view_of("file " + std::to_string(i))).ok());
    REQUIRE(files.back()->sync().ok());
  }
  CHECK(fs->stats().handles == 40);
  CHECK(fs->stats().open <= 4);
  CHECK(open_descriptors() <= before + 4);
  // Every file still reads back its own bytes, reopening as needed, and the bound holds meanwhile.
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 40; ++i) {
      CHECK(read_all(*files[i]) == "file " + std::to_string(i));
      CHECK(open_descriptors() <= before + 4);
    }
  }
  CHECK(fs->stats().reopens >= 40);
  // Appending to a reopened file continues at its end.
  REQUIRE(files[0]->append(view_of("+more")).ok());
  CHECK(read_all(*files[0]) == "file 0+more");
  files.clear();
  CHECK(fs->stats().handles == 0);
  CHECK(fs->stats().open == 0);
  CHECK(open_descriptors() == before);
}

TEST_CASE("bounded file system passes reservations on and a closed descriptor gives them back") {
  TempDir dir;
  if (!allocates_ahead(dir.path())) {
    WARN("the temp directory's file system cannot allocate ahead: nothing to check");
    return;
  }
  auto fs = BoundedFileSystem::create(posix_file_system(), 1);
  auto a = open_file(*fs, dir / "a");
  REQUIRE(a->append(view_of("some bytes")).ok());
  a->reserve_for(100);
  CHECK(allocated_bytes(dir / "a") >= 64 << 10);
  a->release_reserved();
  CHECK(allocated_bytes(dir / "a") <= 8 << 10);
  a->reserve_for(100);
  REQUIRE(a->sync().ok());
  auto b = open_file(*fs, dir / "b");  // the bound closes a's descriptor
  REQUIRE(fs->stats().open == 1);
  CHECK(allocated_bytes(dir / "a") <= 8 << 10);
  const uint64_t reopens = fs->stats().reopens;
  a->release_reserved();  // nothing reserved through a closed descriptor: no reopen for it
  CHECK(fs->stats().reopens == reopens);
  CHECK(read_all(*a) == "some bytes");
}

TEST_CASE("bounded file system never closes a file holding unsynced writes") {
  TempDir dir;
  auto fs = BoundedFileSystem::create(posix_file_system(), 2);
  auto dirty = open_file(*fs, dir / "dirty");
  REQUIRE(dirty->append(view_of("not yet durable")).ok());
  std::vector<std::unique_ptr<File>> others;
  for (int i = 0; i < 10; ++i) {
    others.push_back(open_file(*fs, dir / ("o" + std::to_string(i))));
    (void)read_all(*others.back());
  }
  const uint64_t reopens_before = fs->stats().reopens;
  // The dirty file kept its descriptor through all that pressure: reading it needs no reopen.
  CHECK(read_all(*dirty) == "not yet durable");
  CHECK(fs->stats().reopens == reopens_before);
  CHECK(fs->stats().open <= 3);  // the limit plus the one dirty file
  // Once synced it is an ordinary idle file again and can be closed.
  REQUIRE(dirty->sync().ok());
  for (auto& other : others) (void)read_all(*other);
  CHECK(fs->stats().open <= 2);
  CHECK(read_all(*dirty) == "not yet durable");
  CHECK(fs->stats().reopens > reopens_before);
}

TEST_CASE("bounded file system refuses to reopen a file that was replaced or removed") {
  TempDir dir;
  auto fs = BoundedFileSystem::create(posix_file_system(), 1);
  auto a = open_file(*fs, dir / "a");
  REQUIRE(a->append(view_of("original")).ok());
  REQUIRE(a->sync().ok());
  auto b = open_file(*fs, dir / "b");  // closes a's descriptor
  REQUIRE(fs->stats().open == 1);

  SECTION("replaced by a rename") {
    append_bytes_to_file(dir / "replacement", "another file");
    std::filesystem::rename(dir / "replacement", dir / "a");
    auto n = a->append(view_of("x"));
    REQUIRE_FALSE(n.ok());
    CHECK(n.error().to_string().find("removed or replaced") != std::string::npos);
    CHECK(read_all(*b).empty());  // the others are unaffected
  }
  SECTION("removed") {
    std::filesystem::remove(dir / "a");
    std::string buffer(4, '\0');
    auto n = a->read_at(0, {buffer.data(), buffer.size()});
    REQUIRE_FALSE(n.ok());
    CHECK(n.error().code == errc::not_found);
  }
}

TEST_CASE("bounded file system keeps a leased descriptor open until the lease is released") {
  TempDir dir;
  auto fs = BoundedFileSystem::create(posix_file_system(), 1);
  auto a = open_file(*fs, dir / "a");
  REQUIRE(a->append(view_of("leased bytes")).ok());
  REQUIRE(a->sync().ok());
  std::shared_ptr<const int> lease = a->lease_descriptor();
  REQUIRE(lease != nullptr);
  const int fd = *lease;
  // Pressure from other files does not close it, and its file may even be deleted meanwhile.
  std::vector<std::unique_ptr<File>> others;
  for (int i = 0; i < 5; ++i) others.push_back(open_file(*fs, dir / ("o" + std::to_string(i))));
  std::filesystem::remove(dir / "a");
  std::string bytes(12, '\0');
  REQUIRE(::pread(fd, bytes.data(), bytes.size(), 0) == 12);
  CHECK(bytes == "leased bytes");
  CHECK(fs->stats().open == 1);  // just the leased one: the new files were closed again, being idle
  lease.reset();
  (void)read_all(*others[0]);  // the next use evicts it
  CHECK(fs->stats().open == 1);
}

TEST_CASE(
    "file ranges over a bounded file system keep their segment readable through sendfile's descriptor") {
  TempDir dir;
  auto fs = BoundedFileSystem::create(posix_file_system(), 2);
  LogConfig config;
  config.segment_bytes = 2048;
  auto log = PartitionLog::open(dir / "p", config, fs);
  REQUIRE(log.ok());
  for (int i = 0; i < 6; ++i) (void)append(**log, make_batch(4, 200, i));
  auto ranges = (*log)->read_ranges(Offset{0}, 1 << 20, (*log)->log_end_offset());
  REQUIRE(ranges.ok());
  REQUIRE_FALSE(ranges->ranges.empty());
  const storage::FileRange range = ranges->ranges.front();
  const Buffer expected = read(**log, Offset{0}).bytes;
  // Other logs push every idle descriptor out; the range's stays usable.
  std::vector<std::unique_ptr<PartitionLog>> others;
  for (int i = 0; i < 4; ++i) {
    auto other = PartitionLog::open(dir / ("o" + std::to_string(i)), config, fs);
    REQUIRE(other.ok());
    (void)append(**other, make_batch(2, 50, i));
    others.push_back(std::move(other).value());
  }
  REQUIRE(range.native_handle() >= 0);
  Buffer bytes(static_cast<size_t>(range.length()));
  REQUIRE(::pread(range.native_handle(), bytes.data(), bytes.size(), range.position()) == range.length());
  CHECK(std::equal(bytes.begin(), bytes.end(), expected.begin()));
}

TEST_CASE("bounded file system: concurrent syncs and owner-thread appends and reads stay consistent") {
  TempDir dir;
  auto fs = BoundedFileSystem::create(posix_file_system(), 3);
  constexpr int kFiles = 12;
  std::vector<std::unique_ptr<File>> files;
  for (int i = 0; i < kFiles; ++i) files.push_back(open_file(*fs, dir / ("c" + std::to_string(i))));
  std::atomic<bool> stop = false;
  std::atomic<int> sync_failures = 0;
  std::thread syncer([&] {
    int i = 0;
    while (!stop) {
      if (!files[static_cast<size_t>(i % kFiles)]->sync()) ++sync_failures;
      ++i;
    }
  });
  std::vector<std::string> expected(kFiles);
  for (int round = 0; round < 200; ++round) {
    for (int i = 0; i < kFiles; ++i) {
      const std::string piece = std::to_string(round) + ",";
      REQUIRE(files[i]->append(view_of(piece)).ok());
      expected[i] += piece;
      if ((round + i) % 7 == 0) REQUIRE(read_all(*files[i]) == expected[i]);
    }
  }
  stop = true;
  syncer.join();
  CHECK(sync_failures == 0);
  for (int i = 0; i < kFiles; ++i) {
    REQUIRE(files[i]->sync().ok());
    CHECK(read_all(*files[i]) == expected[i]);
  }
  for (int i = 0; i < kFiles; ++i) {
    CHECK(std::filesystem::file_size(dir / ("c" + std::to_string(i))) == expected[i].size());
  }
  CHECK(fs->stats().open <= 3);
}

TEST_CASE(
    "partition logs over a bounded file system: many logs, few descriptors, nothing lost across reopen") {
  TempDir dir;
  auto fs = BoundedFileSystem::create(posix_file_system(), 8);
  LogConfig config;
  config.segment_bytes = 4096;  // several segments per log
  constexpr int kLogs = 30;
  std::vector<std::unique_ptr<PartitionLog>> logs;
  for (int i = 0; i < kLogs; ++i) {
    auto log = PartitionLog::open(dir / ("p" + std::to_string(i)), config, fs);
    REQUIRE(log.ok());
    logs.push_back(std::move(log).value());
  }
  for (int round = 0; round < 10; ++round) {
    for (auto& log : logs) {
      (void)append(*log, make_batch(5, 100, round));
      const FlushJob job = log->prepare_flush();
      REQUIRE(job.run().ok());
      log->mark_flushed(job);
    }
  }
  CHECK(fs->stats().open <= 8);
  for (auto& log : logs) {
    CHECK(log->log_end_offset() == Offset{50});
    CHECK(read_everything(*log, 1500).size() == 10);
  }
  CHECK(fs->stats().open <= 8);
  for (auto& log : logs) REQUIRE(log->close().ok());
  logs.clear();
  // Reopened (recovery reads every file) with the same bound, every log is whole.
  for (int i = 0; i < kLogs; ++i) {
    auto log = PartitionLog::open(dir / ("p" + std::to_string(i)), config, fs);
    REQUIRE(log.ok());
    CHECK((*log)->log_end_offset() == Offset{50});
    CHECK(read_everything(**log).size() == 10);
    REQUIRE((*log)->close().ok());
  }
  CHECK(fs->stats().handles == 0);
}
