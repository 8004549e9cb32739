#pragma once
// Helpers for compaction tests: keyed batches, tombstones, running a whole pass, reading every record back.
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "millrace/protocol/byte_order.h"
#include "millrace/protocol/crc32c.h"
#include "millrace/protocol/record_batch_format.h"
#include "storage_test_support.h"

namespace millrace::storage::test {

constexpr int64_t kCompactionNowMs = 1'800'000'000'000;

struct KeyedRecord {
  std::string key;
  std::optional<std::string> value;  // nullopt: a tombstone
};

// One batch of the given records, all stamped `timestamp_ms`.
inline Buffer keyed_batch(const std::vector<KeyedRecord>& records, int64_t timestamp_ms = kCompactionNowMs) {
  protocol::RecordBatchBuilder builder;
  for (const auto& r : records) {
    protocol::Record record;
    record.key = r.key;
    record.value = r.value;
    record.timestamp_ms = timestamp_ms;
    builder.append(record);
  }
  return builder.build();
}

// Rewrites the CRC after a change to the bytes it covers (attributes onwards).
inline void fix_crc(Buffer& batch) {
  namespace bf = protocol::batch_format;
  protocol::store_be<uint32_t>(batch.data() + bf::kCrc, protocol::crc32c(batch.data() + bf::kAttributes,
                                                                         batch.size() - bf::kAttributes));
}

inline Buffer control_batch() {
  Buffer batch = keyed_batch({{"raft", "noop"}});
  protocol::store_be<int16_t>(batch.data() + protocol::batch_format::kAttributes,
                              protocol::batch_format::kControlBit);
  fix_crc(batch);
  return batch;
}

inline CleaningOptions clean_everything(int64_t now_ms = kCompactionNowMs) {
  CleaningOptions options;
  options.now_ms = now_ms;
  options.delete_retention_ms = 60'000;
  options.clean_up_to = Offset{std::numeric_limits<int64_t>::max()};
  options.min_dirty_ratio = 0;
  return options;
}

// prepare + run + finish; requires that a pass was due and that it swapped.
inline CleaningStats clean(PartitionLog& log, const CleaningOptions& options) {
  auto job = log.prepare_cleaning(options);
  REQUIRE(job.has_value());
  auto ran = job->run();
  if (!ran) FAIL("cleaning failed: " << ran.error().to_string());
  auto finished = log.finish_cleaning(*job);
  if (!finished) FAIL("finish failed: " << finished.error().to_string());
  REQUIRE(finished->abandoned.empty());
  return *finished;
}

// Every batch of the log, whole, from its start (checking that offsets are dense).
inline Buffer read_all_bytes(const PartitionLog& log) {
  Buffer all;
  Offset offset = log.log_start_offset();
  while (offset < log.log_end_offset()) {
    const ReadResult r = read(log, offset);
    REQUIRE_FALSE(r.bytes.empty());
    for (const BatchSpan& s : batch_spans(r.bytes)) {
      REQUIRE(s.base_offset == offset.value);
      offset = Offset{s.next_offset};
    }
    all.insert(all.end(), r.bytes.begin(), r.bytes.end());
  }
  return all;
}

inline std::vector<protocol::Record> read_all_records(const PartitionLog& log) {
  std::vector<protocol::Record> records;
  REQUIRE(protocol::decode_records(read_all_bytes(log), 0, records).ok());
  return records;
}

// offset -> (key, value) of every record.
inline std::map<int64_t, KeyedRecord> by_offset(const std::vector<protocol::Record>& records) {
  std::map<int64_t, KeyedRecord> out;
  for (const auto& r : records) out[r.offset] = KeyedRecord{r.key.value_or(""), r.value};
  return out;
}

inline bool has_cleaned_files(const std::filesystem::path& dir) {
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename().string().ends_with(".cleaned")) return true;
  }
  return false;
}

}  // namespace millrace::storage::test
