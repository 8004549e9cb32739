#pragma once
// Helpers for the broker's idempotence tests: a temporary directory, idempotent batches, a log to append to.
#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "millrace/protocol/record_batch_builder.h"
#include "millrace/storage/partition_log.h"
#include "temp_dir.h"

namespace millrace::broker::test {

// The tests' shared temporary directory (tests/support/temp_dir.h).
using TempDir = millrace::testing::TempDir;

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
