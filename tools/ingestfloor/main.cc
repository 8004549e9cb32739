// millrace-ingest-floor: the machine's limit for a produce benchmark's byte stream -- one loopback TCP
// connection into one page-cache file per partition, no protocol, synced and dropped from the page cache
// behind the writes like the broker's default config (ingest_floor.h, README.md). With --rate, the latency
// floor instead: paced records through a relay that writes them to those files (latency_floor.h).
#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdio>
#include <string>

#include "ingest_floor.h"
#include "latency_floor.h"

namespace {

int report_latency_floor(const millrace::ingestfloor::LatencyFloorOptions& options, bool json) {
  auto measured = millrace::ingestfloor::measure_latency_floor(options);
  if (!measured) {
    std::fprintf(stderr, "millrace-ingest-floor: error: %s\n", measured.error().to_string().c_str());
    return 2;
  }
  const auto& result = *measured;
  const auto ms = [&](double percentile) {
    return static_cast<double>(result.latency.percentile(percentile)) / 1e6;
  };
  const double max_ms = static_cast<double>(result.latency.max()) / 1e6;
  const double cores = result.seconds > 0 ? result.machine_cpu_s / result.seconds : 0;
  if (json) {
    std::printf(
        "{\"kind\": \"latency_floor\", \"records_per_second\": %.1f, \"records\": %llu, \"frames\": %llu, "
        "\"record_bytes\": %zu, \"partitions\": %d, \"pace_step_us\": %lld, \"seconds\": %.4f, "
        "\"p50_ms\": %.3f, \"p99_ms\": %.3f, \"p999_ms\": %.3f, \"max_ms\": %.3f, \"machine_cores\": %.3f, "
        "\"write_seconds\": %.3f, \"max_write_ms\": %.3f, \"page_cache_window_bytes\": %lld}\n",
        options.records_per_second, static_cast<unsigned long long>(result.records),
        static_cast<unsigned long long>(result.frames), options.record_bytes, options.partitions,
        static_cast<long long>(options.pace_step_ns / 1000), result.seconds, ms(50), ms(99), ms(99.9), max_ms,
        cores, result.write_seconds, result.max_write_ms,
        static_cast<long long>(options.page_cache_window_bytes));
  } else {
    std::printf(
        "latency floor at %.0f records/s: p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms; %llu records "
        "in %llu frames over %.2f s; the machine %.2f cores busy; the relay's writes took %.2f s (longest "
        "%.2f ms)\n",
        options.records_per_second, ms(50), ms(99), ms(99.9), max_ms,
        static_cast<unsigned long long>(result.records), static_cast<unsigned long long>(result.frames),
        result.seconds, cores, result.write_seconds, result.max_write_ms);
  }
  return 0;
}

}  // namespace

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
  double rate = 0;
  double seconds = 10;
  int64_t pace_step_us = millrace::cli::kDefaultPaceStepUs;
  app.add_option(
      "--rate", rate,
      "RECORDS_PER_S: measure the latency floor instead (paced records of --record-bytes through a "
      "relay that writes them to the files)");
  app.add_option("--seconds", seconds, "with --rate: how long to send")->capture_default_str();
  app.add_option("--pace-step-us", pace_step_us, "with --rate: as millrace bench's --pace-step-us")
      ->capture_default_str();
  millrace::ingestfloor::LatencyFloorOptions latency;
  app.add_option("--warmup-bytes", latency.warmup_bytes,
                 "with --rate: bytes written unpaced before the schedule starts (past the page-cache window, "
                 "so that the measured writes reuse dropped pages, as a broker that has been running does)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  if (rate > 0) {
    latency.records_per_second = rate;
    latency.records = static_cast<uint64_t>(rate * seconds);
    latency.record_bytes = options.record_bytes;
    latency.partitions = options.partitions;
    latency.pace_step_ns = pace_step_us * 1000;
    latency.directory = options.directory;
    latency.page_cache_window_bytes = options.page_cache_window_bytes;
    return report_latency_floor(latency, json);
  }

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
