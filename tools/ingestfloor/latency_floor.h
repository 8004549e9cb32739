#pragma once
// The latency floor: the end-to-end latency this machine gives the simplest pipeline that does a broker's
// work per message at a given rate: two loopback TCP connections, and a page-cache file written on the way.
// Used by tools/bench as a reference beside the e2e rows, at the same rate (docs/performance.md).
//
// A sender thread paces stamped records exactly as `millrace bench e2e` does (cli::RateSchedule, the same
// pace step) and sends each wake-up's records as one frame over one loopback connection. A relay thread
// reads each frame whole, appends it to a partition file (the partitions in turn, one pwrite each, space
// reserved ahead as a segment does), and forwards it from the file with sendfile, as the broker serves a
// fetch, over a second loopback connection to a receiving thread, which records every record's latency from
// its intended send time. A flusher thread syncs the files behind the relay and keeps the page-cache window,
// as in the ingest floor (flusher.h). Four threads and no protocol.
//
// A floor for the work per message, not for the tail: its flusher syncs whole files, and a sender that fell
// behind sends its backlog as one frame, so when page-cache writes slow down it can fall further behind than
// a broker does (README.md).
#include <cstddef>
#include <cstdint>
#include <string>

#include "latency_histogram.h"
#include "millrace/protocol/result.h"
#include "rate_schedule.h"

namespace millrace::ingestfloor {

struct LatencyFloorOptions {
  double records_per_second = 0;  // > 0
  uint64_t records = 0;           // how many to send (> 0)
  size_t record_bytes = 1024;     // >= cli::kStampBytes
  int partitions = 8;             // files; each frame goes to the next one
  int64_t pace_step_ns = cli::kDefaultPaceStepUs * 1000;
  std::string directory;  // where the partition files go (removed at the end)
  // As in IngestFloorOptions: synced data kept in the page cache, all files together. 0: no flusher.
  int64_t page_cache_window_bytes = int64_t{1} << 30;
  // Written to the files unpaced before the schedule starts, so that the measured records go into the page
  // cache of a relay that has been running, as a benchmark's broker has: past the window, the flusher drops
  // old pages and new writes reuse them. On this VM a page never used before costs several times more to
  // write, so a cold floor would pay for its first gigabyte where a warm broker does not.
  int64_t warmup_bytes = (int64_t{1} << 30) + (int64_t{256} << 20);
};

struct LatencyFloorResult {
  uint64_t records = 0;           // received, each with its latency recorded
  uint64_t frames = 0;            // sender wake-ups that sent something (= relay writes)
  double seconds = 0;             // from the schedule's start to the last record's arrival
  double machine_cpu_s = 0;       // all CPUs, busy time from /proc/stat over the run
  double write_seconds = 0;       // the relay's time in its file appends (pwrite into the page cache)
  double max_write_ms = 0;        // its longest append
  cli::LatencyHistogram latency;  // from each record's intended send time to its arrival
};

// Runs one measurement. Fails when a socket or file operation fails, or when the files or the receiver did
// not get every record that was sent.
Result<LatencyFloorResult> measure_latency_floor(const LatencyFloorOptions& options);

}  // namespace millrace::ingestfloor
