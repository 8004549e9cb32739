#pragma once
// Reads one partition's committed log from one node: native fetches sent to that node (leader or follower)
// from offset 0 up to the high watermark that node reports in its first answer.
#include <cstdint>
#include <string>
#include <vector>

namespace millrace::faulttest {

struct ReplicaBatch {
  int64_t base_offset = 0;
  int64_t next_offset = 0;
  bool control = false;
  std::string bytes;  // the whole batch as stored
};

struct ReplicaLog {
  int32_t node = -1;
  bool readable = false;  // every fetch succeeded up to the high watermark
  std::string error;      // why not
  int64_t high_watermark = -1;
  int64_t log_start = 0;
  std::vector<ReplicaBatch> batches;  // in offset order, all below high_watermark
};

// Fetches `topic`/`partition` from the node at 127.0.0.1:`port`.
ReplicaLog read_replica(int32_t node, uint16_t port, const std::string& topic, int32_t partition);

// The high watermark `node` reports for the partition, or -1 if it does not answer.
int64_t replica_high_watermark(uint16_t port, const std::string& topic, int32_t partition);

}  // namespace millrace::faulttest
