#pragma once
// Helpers for the broker's idempotence tests: a temporary directory, idempotent batches, a log to append to.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "millrace/protocol/record_batch_builder.h"
#include "millrace/storage/partition_log.h"

namespace millrace::broker::test {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "millrace-broker-XXXXXX").string();
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

 private:
  std::filesystem::path path_;
};

// A batch of `records` records from producer `id` (epoch `epoch`) starting at `sequence`; id -1: plain.
inline Buffer producer_batch(int64_t id, int16_t epoch, int32_t sequence, int records = 2,
                             int64_t timestamp_ms = 1'700'000'000'000) {
  protocol::RecordBatchBuilder builder;
  for (int i = 0; i < records; ++i) {
    protocol::Record record;
    record.value = "p" + std::to_string(id) + "-s" + std::to_string(sequence + i);
    record.timestamp_ms = timestamp_ms;
    builder.append(record);
  }
  builder.set_producer(id, epoch, sequence);
  return builder.build();
}

inline std::unique_ptr<storage::PartitionLog> open_log(const std::filesystem::path& dir) {
  auto log = storage::PartitionLog::open(dir, storage::LogConfig{});
  REQUIRE(log.ok());
  return std::move(*log);
}

}  // namespace millrace::broker::test
