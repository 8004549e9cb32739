#pragma once
// Checker: judges a run from the workload's entries and every replica's committed log.
//
// For each partition it reads every node's log up to that node's high watermark (replica_reader.h) and
// compares each replica batch by batch, byte for byte, with the replica that has the highest high watermark
// (the reference): a committed prefix must be a prefix of every other committed log (Raft's log matching),
// so any difference below a replica's own high watermark is divergence. It then decodes the reference log
// (control batches skipped) and counts, over the workload's values:
//   lost           acknowledged but not in the log (must be 0);
//   duplicated     values at more than one offset (0 required with the idempotent producer);
//   out_of_order   acknowledged values of one producer and partition whose offsets do not rise with their
//                  sequence numbers (0 required with the idempotent producer);
//   ack_mismatch   acknowledged at an offset where the log holds something else (must be 0);
// and the longest unavailability: the longest stretch of the load phase with no acknowledgement at all.
#include <cstdint>
#include <string>
#include <vector>

#include "ack_log.h"
#include "replica_reader.h"

namespace millrace::faulttest {

struct CheckOptions {
  std::string topic;
  int32_t partitions = 0;
  std::vector<uint16_t> node_ports;  // node id = index
  bool strict = true;                // duplicates and reordering fail the run (idempotent producer)
  int64_t load_start_ms = 0;         // the load phase, for the unavailability window
  int64_t load_end_ms = 0;
};

struct PartitionReport {
  int32_t partition = 0;
  std::vector<int64_t> high_watermarks;  // per node; -1 unreadable
  std::vector<int32_t> divergent_nodes;
  int64_t first_divergent_offset = -1;
  int64_t records = 0;
  int64_t longest_unavailability_ms = 0;  // longest stretch of the load phase with no ack on this partition
  std::vector<std::string> errors;
};

struct CheckReport {
  int64_t sent = 0;
  int64_t acknowledged = 0;
  int64_t failed = 0;              // delivery reported failure (may or may not be in the log)
  int64_t failed_but_present = 0;  // ... of which in the log
  int64_t lost = 0;
  int64_t duplicated = 0;
  int64_t out_of_order = 0;
  int64_t ack_mismatch = 0;
  int64_t divergent_replicas = 0;  // (partition, node) pairs differing from the reference
  int64_t unreadable_replicas = 0;
  int64_t unknown_values = 0;  // records in the log the workload did not write
  int64_t records_read = 0;    // data records in the reference logs
  int64_t longest_unavailability_ms = 0;
  int64_t longest_unavailability_start_ms = 0;
  int64_t max_ack_latency_ms = 0;
  std::vector<PartitionReport> partitions;
  std::vector<std::string> examples;  // a few concrete violations, for the humans

  bool passed(bool strict) const;
};

CheckReport check(const CheckOptions& options, const std::vector<AckEntry>& entries);

}  // namespace millrace::faulttest
