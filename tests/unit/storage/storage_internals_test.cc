// Tests of storage's internal pieces: error codes, PosixFile, the offset index, the recovery-point file.
#include <cerrno>
#include <random>

#include <catch2/catch.hpp>

#include "io_error.h"
#include "millrace/storage/disk_format.h"
#include "millrace/storage/errc.h"
#include "millrace/storage/posix_file.h"
#include "offset_index.h"
#include "recovery_point_file.h"
#include "segment_names.h"
#include "storage_test_support.h"

using namespace millrace;
using namespace millrace::storage;
using namespace millrace::storage::test;

TEST_CASE("storage errc has its own error category") {
  const std::error_code code = errc::offset_out_of_range;
  CHECK(std::string(code.category().name()) == "millrace.storage");
  CHECK(code.message() == "offset out of range");
  CHECK(code != std::error_code(3, std::generic_category()));
  const Error e = make_error(errc::disk_full, "segment 7");
  CHECK(e.code == errc::disk_full);
  CHECK(e.to_string() == "disk full (segment 7)");
  CHECK(make_io_error(ENOSPC, "write", "/x").code == errc::disk_full);
  CHECK(make_io_error(EDQUOT, "write", "/x").code == errc::disk_full);
  CHECK(make_io_error(ENOENT, "open", "/x").code == errc::not_found);
  CHECK(make_io_error(EIO, "read", "/x").code == errc::io_error);
  CHECK_THAT(make_io_error(EIO, "read", "/x").message, Catch::Contains("read /x"));
}

TEST_CASE("PosixFile appends, reads, truncates and refuses the wrong open mode") {
  TempDir dir;
  const auto path = dir / "f";
  CHECK(PosixFile::open(path, OpenMode::open_existing).error().code == errc::not_found);
  auto created = PosixFile::open(path, OpenMode::create_new);
  REQUIRE(created.ok());
  PosixFile& file = **created;
  CHECK(PosixFile::open(path, OpenMode::create_new).error().code == errc::io_error);

  const std::string hello = "hello, world";
  REQUIRE(file.append(ByteView(hello.data(), hello.size())).ok());
  REQUIRE(file.append(ByteView(hello.data(), 5)).ok());
  CHECK(file.size() == 17);
  REQUIRE(file.sync().ok());

  char buffer[32];
  auto n = file.read_at(7, MutableByteView(buffer, 5));
  REQUIRE(n.ok());
  CHECK(*n == 5);
  CHECK(std::string(buffer, 5) == "world");
  n = file.read_at(12, MutableByteView(buffer, sizeof(buffer)));  // short at the end of the file
  REQUIRE(n.ok());
  CHECK(std::string(buffer, *n) == "hello");

  REQUIRE(file.truncate(5).ok());
  CHECK(file.size() == 5);
  CHECK(std::filesystem::file_size(path) == 5);
  REQUIRE(file.append(ByteView(hello.data() + 5, 7)).ok());
  REQUIRE(file.close().ok());

  auto reopened = PosixFile::open(path, OpenMode::open_or_create);
  REQUIRE(reopened.ok());
  CHECK((*reopened)->size() == 12);
  n = (*reopened)->read_at(0, MutableByteView(buffer, 12));
  CHECK(std::string(buffer, *n) == hello);
  CHECK(PosixFile::sync_directory(dir.path()).ok());
}

namespace {

constexpr int64_t kKiB = 1024;
constexpr int64_t kMiB = 1024 * kKiB;

}  // namespace

TEST_CASE("PosixFile reserves space ahead of its appends and gives back what they did not fill") {
  TempDir dir;
  const auto path = dir / "f";
  auto created = PosixFile::open(path, OpenMode::create_new);
  REQUIRE(created.ok());
  PosixFile& file = **created;
  const std::string bytes(4000, 'x');
  REQUIRE(file.append(ByteView(bytes.data(), 1000)).ok());

  file.reserve_for(4000);
  CHECK(file.size() == 1000);  // reserved space is not data
  CHECK(std::filesystem::file_size(path) == 1000);
  const bool ahead = allocates_ahead(dir.path());
  if (ahead) {
    // As much again as the file will hold, at least 64 KiB: to 4000 + 64 KiB.
    CHECK(allocated_bytes(path) >= 4000 + 64 * kKiB);
  } else {
    WARN("the temp directory's file system cannot allocate ahead: only the data is checked");
  }
  REQUIRE(file.append(ByteView(bytes.data(), 3000)).ok());
  CHECK(file.size() == 4000);
  char buffer[4000];
  auto n = file.read_at(0, MutableByteView(buffer, sizeof(buffer)));
  REQUIRE(n.ok());
  CHECK(std::string(buffer, *n) == bytes);

  // Given back: the file keeps its bytes and one block.
  file.release_reserved();
  CHECK(file.size() == 4000);
  CHECK(std::filesystem::file_size(path) == 4000);
  CHECK(allocated_bytes(path) <= 8 * kKiB);

  // Steps grow with the file, up to 16 MiB.
  file.reserve_for(1 * kMiB);
  if (ahead) CHECK(allocated_bytes(path) >= 2 * kMiB);
  file.reserve_for(32 * kMiB);
  if (ahead) {
    CHECK(allocated_bytes(path) >= 48 * kMiB);
    CHECK(allocated_bytes(path) < 49 * kMiB);
  }
  // A cut gives it back too.
  REQUIRE(file.truncate(2000).ok());
  CHECK(allocated_bytes(path) <= 8 * kKiB);

  // And so does close(); what was written stays.
  file.reserve_for(3000);
  if (ahead) CHECK(allocated_bytes(path) >= 64 * kKiB);
  REQUIRE(file.close().ok());
  CHECK(allocated_bytes(path) <= 8 * kKiB);
  auto reopened = PosixFile::open(path, OpenMode::open_existing);
  REQUIRE(reopened.ok());
  CHECK((*reopened)->size() == 2000);
  n = (*reopened)->read_at(0, MutableByteView(buffer, sizeof(buffer)));
  REQUIRE(n.ok());
  CHECK(std::string(buffer, *n) == bytes.substr(0, 2000));
}

TEST_CASE("segment names are 20-digit zero-padded base offsets") {
  CHECK(segment_name(Offset{0}) == "00000000000000000000");
  CHECK(segment_name(Offset{1234567}) == "00000000000001234567");
  CHECK(segment_name(Offset{INT64_MAX}) == "09223372036854775807");
  CHECK(segment_log_path("/d", Offset{42}) == "/d/00000000000000000042.log");
  CHECK(segment_index_path("/d", Offset{42}) == "/d/00000000000000000042.index");
  CHECK(parse_segment_log_name("00000000000000000042.log") == Offset{42});
  CHECK_FALSE(parse_segment_log_name("00000000000000000042.index"));
  CHECK_FALSE(parse_segment_log_name("0000000000000000042.log"));
  CHECK_FALSE(parse_segment_log_name("0000000000000000004x.log"));
  CHECK_FALSE(parse_segment_log_name("-0000000000000000042.log"));
}

TEST_CASE("the offset index adds entries every interval and finds the last entry at or before an offset") {
  OffsetIndex index(100);
  // Batches of 40 bytes, 3 offsets each.
  std::vector<IndexEntry> batches;
  for (int i = 0; i < 500; ++i) {
    batches.push_back({static_cast<uint32_t>(3 * i), static_cast<uint32_t>(40 * i)});
    index.on_batch(3 * i, 40 * i);
  }
  // Entries at 120, 240, ...: the first batch at least 100 bytes past the previous entry.
  CHECK(index.entry_count() == 166);
  CHECK(index.lookup(0).position == 0);
  CHECK(index.lookup(8).position == 0);
  CHECK(index.lookup(9).position == 120);
  for (int64_t offset = 0; offset < 1500; ++offset) {
    // Linear scan: the last indexed batch (position multiple of 120) at or before the offset.
    uint32_t expected = 0;
    for (const IndexEntry& b : batches) {
      if (b.relative_offset <= offset && b.position % 120 == 0) expected = b.position;
    }
    REQUIRE(index.lookup(offset).position == expected);
  }

  const Buffer bytes = index.encode_all();
  CHECK(bytes.size() == index.entry_count() * disk_format::kIndexEntryBytes);
  CHECK(index.has_unwritten());
  CHECK(index.encode_unwritten() == bytes);
  index.mark_written();
  CHECK_FALSE(index.has_unwritten());
  index.on_batch(1500, 20'100);
  CHECK(index.encode_unwritten().size() == disk_format::kIndexEntryBytes);

  auto decoded = OffsetIndex::decode(bytes, 100, 20'000);  // (without the unwritten entry)
  REQUIRE(decoded);
  CHECK(decoded->entry_count() == 166);
  CHECK(decoded->last().position == index.lookup(1499).position);
  CHECK_FALSE(decoded->has_unwritten());
  CHECK(decoded->encode_all() == bytes);
  // Big-endian on disk: the first entry is (3, 120).
  CHECK(bytes[3] == 9);
  CHECK(bytes[7] == 120);
}

TEST_CASE("decoding refuses malformed index files") {
  OffsetIndex index(10);
  for (int i = 1; i <= 5; ++i) index.on_batch(i, 100 * i);
  Buffer bytes = index.encode_all();
  CHECK(OffsetIndex::decode(bytes, 10, 1000));
  CHECK_FALSE(OffsetIndex::decode(bytes, 10, 500));  // a position past the log
  Buffer cut(bytes.begin(), bytes.end() - 1);
  CHECK_FALSE(OffsetIndex::decode(cut, 10, 1000));
  Buffer swapped = bytes;
  std::swap_ranges(swapped.begin(), swapped.begin() + 8, swapped.begin() + 8);
  CHECK_FALSE(OffsetIndex::decode(swapped, 10, 1000));
  CHECK(OffsetIndex::decode(Buffer{}, 10, 0));
}

TEST_CASE("the recovery point file round-trips and a damaged one reads as absent") {
  TempDir dir;
  CHECK_FALSE(RecoveryPointFile::read(*posix_file_system(), dir.path()));
  REQUIRE(RecoveryPointFile::write(*posix_file_system(), dir.path(), Offset{123456789}, true).ok());
  CHECK(RecoveryPointFile::read(*posix_file_system(), dir.path()) == Offset{123456789});
  REQUIRE(RecoveryPointFile::write(*posix_file_system(), dir.path(), Offset{7}, false).ok());
  CHECK(RecoveryPointFile::read(*posix_file_system(), dir.path()) == Offset{7});
  CHECK(std::filesystem::file_size(dir / "recovery-point") == disk_format::kRecoveryPointBytes);
  CHECK_FALSE(std::filesystem::exists(dir / "recovery-point.tmp"));

  const Buffer good = RecoveryPointFile::encode(Offset{99});
  CHECK(RecoveryPointFile::decode(good) == Offset{99});
  for (size_t i = 0; i < good.size(); ++i) {
    Buffer bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 1);
    CHECK_FALSE(RecoveryPointFile::decode(bad));
  }
  CHECK_FALSE(RecoveryPointFile::decode(ByteView(good.data(), good.size() - 1)));

  flip_byte(dir / "recovery-point", 8);
  CHECK_FALSE(RecoveryPointFile::read(*posix_file_system(), dir.path()));
}
