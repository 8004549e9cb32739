#pragma once
// Helpers for storage tests: a fresh temporary directory per test, test batches, file surgery.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "millrace/protocol/bytes.h"
#include "millrace/protocol/record_batch.h"
#include "millrace/protocol/record_batch_builder.h"
#include "millrace/protocol/record_batch_decoder.h"
#include "millrace/storage/partition_log.h"

namespace millrace::storage::test {

// A directory under the system temp directory, removed with everything in it on destruction.
class TempDir {
 public:
  // Under `parent` (default: the system temp directory).
  explicit TempDir(const std::filesystem::path& parent = std::filesystem::temp_directory_path()) {
    std::string pattern = (parent / "millrace-storage-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Bytes of disk allocated to the file at `path`, space reserved past its end included.
inline int64_t allocated_bytes(const std::filesystem::path& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return static_cast<int64_t>(st.st_blocks) * 512;
}

// Whether the file system under `dir` can allocate past a file's end (fallocate FALLOC_FL_KEEP_SIZE), which
// File::reserve_for relies on.
inline bool allocates_ahead(const std::filesystem::path& dir) {
  const auto probe = dir / "allocates-ahead-probe";
  const int fd = ::open(probe.c_str(), O_RDWR | O_CREAT, 0644);
  REQUIRE(fd >= 0);
  const bool ok = ::fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 4096) == 0;
  ::close(fd);
  std::filesystem::remove(probe);
  return ok;
}

// One batch of `records` records, each value `value_bytes` long; contents depend on `seed`.
inline Buffer make_batch(int records, size_t value_bytes = 10, int seed = 0) {
  protocol::RecordBatchBuilder builder;
  for (int i = 0; i < records; ++i) {
    protocol::Record record;
    record.key = "k" + std::to_string(seed) + "-" + std::to_string(i);
    record.value = std::string(value_bytes, static_cast<char>('a' + (seed + i) % 26));
    record.timestamp_ms = 1'700'000'000'000 + seed;
    builder.append(record);
  }
  return builder.build();
}

// One batch of `records` records whose timestamps are timestamp_ms, timestamp_ms + 1, ...
inline Buffer make_batch_at(int records, size_t value_bytes, int64_t timestamp_ms) {
  protocol::RecordBatchBuilder builder;
  for (int i = 0; i < records; ++i) {
    protocol::Record record;
    record.value = std::string(value_bytes, 't');
    record.timestamp_ms = timestamp_ms + i;
    builder.append(record);
  }
  return builder.build();
}

inline std::unique_ptr<PartitionLog> open_log(const std::filesystem::path& dir,
                                              const LogConfig& config = {}) {
  auto log = PartitionLog::open(dir, config);
  if (!log) FAIL("open failed: " << log.error().to_string());
  return std::move(log).value();
}

inline AppendResult append(PartitionLog& log, Buffer batch) {
  auto result = log.append(batch);
  if (!result) FAIL("append failed: " << result.error().to_string());
  return *result;
}

inline ReadResult read(const PartitionLog& log, Offset offset, size_t max_bytes = 1 << 20) {
  auto result = log.read(offset, max_bytes, log.log_end_offset());
  if (!result) FAIL("read at " << offset.value << " failed: " << result.error().to_string());
  return std::move(result).value();
}

// Base offset and next offset of every batch in `bytes`.
struct BatchSpan {
  int64_t base_offset;
  int64_t next_offset;
  int64_t size_bytes;
};
inline std::vector<BatchSpan> batch_spans(ByteView bytes) {
  std::vector<BatchSpan> spans;
  size_t at = 0;
  while (at < bytes.size()) {
    const auto h = protocol::read_batch_header(bytes.subspan(at));
    spans.push_back({h.base_offset, h.next_offset(), h.size_bytes()});
    at += static_cast<size_t>(h.size_bytes());
  }
  REQUIRE(at == bytes.size());
  return spans;
}

// Reads the whole log from its start with reads of `max_bytes`, checking offsets continue.
inline std::vector<BatchSpan> read_everything(const PartitionLog& log, size_t max_bytes = 1 << 20) {
  std::vector<BatchSpan> spans;
  Offset offset = log.log_start_offset();
  while (offset < log.log_end_offset()) {
    const ReadResult r = read(log, offset, max_bytes);
    REQUIRE_FALSE(r.bytes.empty());
    for (const BatchSpan& s : batch_spans(r.bytes)) {
      REQUIRE(s.base_offset == offset.value);
      offset = Offset{s.next_offset};
      spans.push_back(s);
    }
    REQUIRE(r.next_offset == offset);
  }
  return spans;
}

inline std::string segment_file(Offset base, const std::string& suffix) {
  std::string digits = std::to_string(base.value);
  return std::string(20 - digits.size(), '0') + digits + suffix;
}

inline void copy_directory(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::filesystem::remove_all(to);
  std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
}

inline void append_bytes_to_file(const std::filesystem::path& file, const std::string& bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::app);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Flips one byte of a file in place.
inline void flip_byte(const std::filesystem::path& file, int64_t position) {
  std::fstream f(file, std::ios::binary | std::ios::in | std::ios::out);
  f.seekg(position);
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x5A);
  f.seekp(position);
  f.write(&c, 1);
}

}  // namespace millrace::storage::test
