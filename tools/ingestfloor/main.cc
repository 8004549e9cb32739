// millrace-ingest-floor: the machine's limit for a produce benchmark's byte stream -- one loopback TCP
// connection into one page-cache file per partition, no protocol, synced and dropped from the page cache
// behind the writes like the broker's default config (ingest_floor.h, README.md).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "ingest_floor.h"

int main(int argc, char** argv) {
  using millrace::ingestfloor::IngestFloorOptions;
  CLI::App app{"millrace-ingest-floor: loopback TCP into page-cache files, no protocol (a machine limit)"};
  IngestFloorOptions options;
  bool json = false;
  app.add_option("--bytes", options.total_bytes, "bytes to move (whole requests)")->capture_default_str();
  app.add_option("--partitions", options.partitions, "files, one write each per request")
      ->capture_default_str();
  app.add_option("--write-bytes", options.write_bytes, "bytes per file per request (the size of each write)")
      ->capture_default_str();
  app.add_flag("--checksums", options.checksums,
               "also copy record-sized values into each write and CRC-32C it (sender), check it (receiver)");
  app.add_option("--record-bytes", options.record_bytes, "value size for --checksums")->capture_default_str();
  app.add_option("--page-cache-window", options.page_cache_window_bytes,
                 "BYTES of synced data kept in the page cache, as the broker's page_cache_window_bytes "
                 "(0: sync nothing, drop nothing)")
      ->capture_default_str();
  app.add_option("--dir", options.directory, "directory for the files (removed at the end)")->required();
  app.add_flag("--json", json, "print one JSON object");
  CLI11_PARSE(app, argc, argv);

  auto measured = millrace::ingestfloor::measure_ingest_floor(options);
  if (!measured) {
    std::fprintf(stderr, "millrace-ingest-floor: error: %s\n", measured.error().to_string().c_str());
    return 2;
  }
  const auto& result = *measured;
  double gigabytes = static_cast<double>(result.bytes) / 1e9;
  double mb_per_s = static_cast<double>(result.bytes) / 1e6 / result.seconds;
  if (json) {
    std::printf(
        "{\"bytes\": %llu, \"seconds\": %.4f, \"mb_per_s\": %.1f, \"sender_cpu_s_per_gb\": %.3f, "
        "\"receiver_cpu_s_per_gb\": %.3f, \"flusher_cpu_s_per_gb\": %.3f, \"machine_cpu_s_per_gb\": %.3f, "
        "\"synced_bytes\": %llu, \"dropped_bytes\": %llu, \"page_cache_window_bytes\": %lld, "
        "\"checksums\": %s}\n",
        static_cast<unsigned long long>(result.bytes), result.seconds, mb_per_s,
        result.sender_cpu_s / gigabytes, result.receiver_cpu_s / gigabytes, result.flusher_cpu_s / gigabytes,
        result.machine_cpu_s / gigabytes, static_cast<unsigned long long>(result.synced_bytes),
        static_cast<unsigned long long>(result.dropped_bytes),
        static_cast<long long>(options.page_cache_window_bytes), options.checksums ? "true" : "false");
  } else {
    std::printf(
        "%.1f MB/s; CPU-s per GB: sender %.3f, receiver %.3f, flusher %.3f, whole machine %.3f; "
        "synced %llu bytes, dropped %llu from the page cache\n",
        mb_per_s, result.sender_cpu_s / gigabytes, result.receiver_cpu_s / gigabytes,
        result.flusher_cpu_s / gigabytes, result.machine_cpu_s / gigabytes,
        static_cast<unsigned long long>(result.synced_bytes),
        static_cast<unsigned long long>(result.dropped_bytes));
  }
  return 0;
}
