#include "checker.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "millrace/protocol/record_batch_decoder.h"

namespace millrace::faulttest {

namespace {

constexpr size_t kMaxExamples = 20;

void example(CheckReport& report, std::string text) {
  if (report.examples.size() < kMaxExamples) report.examples.push_back(std::move(text));
}

// Compares `replica` with `reference` below the replica's high watermark; returns the first offset where
// they differ, or -1.
int64_t first_difference(const ReplicaLog& replica, const ReplicaLog& reference) {
  size_t i = 0;
  for (; i < replica.batches.size(); ++i) {
    const auto& b = replica.batches[i];
    if (i >= reference.batches.size()) return b.base_offset;  // cannot happen: reference HW is highest
    const auto& r = reference.batches[i];
    if (b.base_offset != r.base_offset || b.bytes != r.bytes) return std::min(b.base_offset, r.base_offset);
  }
  // The replica's batches must reach its high watermark (the reader guarantees it when readable).
  return -1;
}

// Values found in one partition's reference log: value id -> offsets.
using Found = std::map<ValueId, std::vector<int64_t>>;

void decode_partition(const ReplicaLog& log, int32_t partition, Found& found, CheckReport& report,
                      PartitionReport& part) {
  for (const auto& batch : log.batches) {
    if (batch.control) continue;
    std::vector<protocol::Record> records;
    if (auto st = protocol::decode_records(ByteView(batch.bytes.data(), batch.bytes.size()), 0, records);
        !st) {
      part.errors.push_back("undecodable batch at " + std::to_string(batch.base_offset) + ": " +
                            st.error().to_string());
      continue;
    }
    for (const auto& r : records) {
      ++report.records_read;
      ++part.records;
      auto id = r.value ? parse_value(*r.value) : std::nullopt;
      if (!id || id->partition != partition) {
        ++report.unknown_values;
        example(report, "p" + std::to_string(partition) + " offset " + std::to_string(r.offset) +
                            ": value not written here by the workload");
        continue;
      }
      found[*id].push_back(r.offset);
    }
  }
}

// The longest stretch of [load_start_ms, load_end_ms] without an acknowledgement among `ack_times` (sorted);
// returns {length, start}.
std::pair<int64_t, int64_t> longest_gap(const CheckOptions& options, const std::vector<int64_t>& ack_times) {
  std::pair<int64_t, int64_t> longest{0, options.load_start_ms};
  int64_t previous = options.load_start_ms;
  auto consider = [&](int64_t t) {
    const int64_t at = std::min(std::max(t, options.load_start_ms), options.load_end_ms);
    if (at - previous > longest.first) longest = {at - previous, previous};
    previous = std::max(previous, at);
  };
  for (auto t : ack_times) consider(t);
  consider(options.load_end_ms);
  return longest;
}

void unavailability(const CheckOptions& options, const std::vector<AckEntry>& entries, CheckReport& report) {
  std::vector<int64_t> ack_times;
  std::map<int32_t, std::vector<int64_t>> by_partition;
  for (const auto& e : entries) {
    if (!e.acknowledged) continue;
    ack_times.push_back(e.done_ms);
    by_partition[e.partition].push_back(e.done_ms);
    report.max_ack_latency_ms = std::max(report.max_ack_latency_ms, e.done_ms - e.send_ms);
  }
  std::sort(ack_times.begin(), ack_times.end());
  std::tie(report.longest_unavailability_ms, report.longest_unavailability_start_ms) =
      longest_gap(options, ack_times);
  for (auto& part : report.partitions) {
    auto& times = by_partition[part.partition];
    std::sort(times.begin(), times.end());
    part.longest_unavailability_ms = longest_gap(options, times).first;
  }
}

}  // namespace

bool CheckReport::passed(bool strict) const {
  const bool safe = lost == 0 && ack_mismatch == 0 && divergent_replicas == 0 && unreadable_replicas == 0 &&
                    unknown_values == 0 && acknowledged > 0;
  return safe && (!strict || (duplicated == 0 && out_of_order == 0));
}

CheckReport check(const CheckOptions& options, const std::vector<AckEntry>& entries) {
  CheckReport report;
  std::map<int32_t, Found> found_by_partition;
  for (int32_t p = 0; p < options.partitions; ++p) {
    PartitionReport part;
    part.partition = p;
    std::vector<ReplicaLog> logs;
    for (size_t n = 0; n < options.node_ports.size(); ++n)
      logs.push_back(read_replica(static_cast<int32_t>(n), options.node_ports[n], options.topic, p));
    const ReplicaLog* reference = nullptr;
    for (const auto& log : logs) {
      part.high_watermarks.push_back(log.readable ? log.high_watermark : -1);
      if (!log.readable) {
        ++report.unreadable_replicas;
        part.errors.push_back("node " + std::to_string(log.node) + ": " + log.error);
        continue;
      }
      if (reference == nullptr || log.high_watermark > reference->high_watermark) reference = &log;
    }
    if (reference != nullptr) {
      for (const auto& log : logs) {
        if (!log.readable || &log == reference) continue;
        const int64_t at = first_difference(log, *reference);
        if (at < 0) continue;
        ++report.divergent_replicas;
        part.divergent_nodes.push_back(log.node);
        if (part.first_divergent_offset < 0 || at < part.first_divergent_offset)
          part.first_divergent_offset = at;
        example(report, "p" + std::to_string(p) + ": node " + std::to_string(log.node) +
                            " differs from node " + std::to_string(reference->node) + " at offset " +
                            std::to_string(at));
      }
      decode_partition(*reference, p, found_by_partition[p], report, part);
    }
    report.partitions.push_back(std::move(part));
  }

  // Per value: present? at how many offsets? where the ack said?
  std::map<std::pair<int32_t, int32_t>, std::vector<std::pair<int64_t, int64_t>>>
      acked_by_stream;  // seq, offset
  for (const auto& e : entries) {
    ++report.sent;
    const ValueId id{e.producer, e.partition, e.sequence};
    const auto& found = found_by_partition[e.partition];
    const auto it = found.find(id);
    const bool present = it != found.end();
    if (!e.acknowledged) {
      ++report.failed;
      if (present) ++report.failed_but_present;
      continue;
    }
    ++report.acknowledged;
    const std::string name = record_value(e.producer, e.partition, e.sequence);
    if (!present) {
      ++report.lost;
      example(report, "lost: " + name + " acknowledged at offset " + std::to_string(e.offset));
      continue;
    }
    const auto& offsets = it->second;
    if (std::find(offsets.begin(), offsets.end(), e.offset) == offsets.end()) {
      ++report.ack_mismatch;
      example(report, "ack mismatch: " + name + " acknowledged at " + std::to_string(e.offset) +
                          ", found at " + std::to_string(offsets.front()));
    }
    acked_by_stream[{e.producer, e.partition}].push_back({e.sequence, offsets.front()});
  }
  for (const auto& [partition, found] : found_by_partition) {
    for (const auto& [id, offsets] : found) {
      if (offsets.size() <= 1) continue;
      ++report.duplicated;
      example(report, "duplicate: " + record_value(id.producer, id.partition, id.sequence) + " at " +
                          std::to_string(offsets.size()) + " offsets, first " + std::to_string(offsets[0]) +
                          " and " + std::to_string(offsets[1]));
    }
  }
  for (auto& [stream, acked] : acked_by_stream) {
    std::sort(acked.begin(), acked.end());
    for (size_t i = 1; i < acked.size(); ++i) {
      if (acked[i].second > acked[i - 1].second) continue;
      ++report.out_of_order;
      example(report, "out of order: " + record_value(stream.first, stream.second, acked[i].first) + " at " +
                          std::to_string(acked[i].second) + " but sequence " +
                          std::to_string(acked[i - 1].first) + " at " + std::to_string(acked[i - 1].second));
    }
  }
  unavailability(options, entries, report);
  return report;
}

}  // namespace millrace::faulttest
