#pragma once
// The ingest floor: what this machine allows a single-connection, single-thread broker at best. A sender
// thread streams bytes over one loopback TCP connection to a receiver thread, which writes them into one
// page-cache file per partition -- the bytes a produce benchmark moves, with no protocol, no records and no
// acknowledgements. Used by tools/bench as a machine limit beside iperf3 and fio (docs/performance.md).
//
// Like the broker's default config, a third thread (the flusher, flusher.h) syncs the files behind the
// receiver and keeps only the newest `page_cache_window_bytes` of synced data in the page cache, dropping
// older data. Without that the floor writes into ever more never-used pages; where the hypervisor backs
// memory lazily, those writes are several times slower than writes into just-freed pages, so past the first
// gigabyte the floor would be slower than the broker. The receiver never waits for the flusher, and the rate
// does not wait for the last sync.
#include <cstddef>
#include <cstdint>
#include <string>

#include "millrace/protocol/result.h"

namespace millrace::ingestfloor {

struct IngestFloorOptions {
  uint64_t total_bytes = uint64_t{1} << 30;  // rounded down to whole requests
  int partitions = 8;                        // files, written round-robin, one write each per request
  size_t write_bytes = 256 * 1024;           // bytes per partition per request: the size of each pwrite
  // Also do the per-byte work the record format requires: the sender copies record_bytes values into each
  // partition's slice and computes its CRC-32C, the receiver checks it.
  bool checksums = false;
  size_t record_bytes = 1024;
  std::string directory;  // where the partition files go (removed at the end)
  // The broker's page_cache_window_bytes (same default): synced data kept in the page cache, all files
  // together. 0: no flusher, nothing synced or dropped.
  int64_t page_cache_window_bytes = int64_t{1} << 30;
};

struct IngestFloorResult {
  uint64_t bytes = 0;          // received and written
  double seconds = 0;          // from the first send to the last write
  double sender_cpu_s = 0;     // the sending thread's CPU time
  double receiver_cpu_s = 0;   // the receiving thread's CPU time
  double machine_cpu_s = 0;    // all CPUs, busy time from /proc/stat over the run (write-back included)
  uint64_t synced_bytes = 0;   // fdatasynced by the flusher (all of `bytes` with a window, else 0)
  uint64_t dropped_bytes = 0;  // dropped from the page cache by the flusher
  double flusher_cpu_s = 0;    // the flusher thread's CPU time, the sync of the tail after the run included
};

// Runs one measurement. Fails when a socket or file operation fails, or when the files do not hold every
// byte that was sent.
Result<IngestFloorResult> measure_ingest_floor(const IngestFloorOptions& options);

}  // namespace millrace::ingestfloor
