#include "millrace/replication/segmented_log.h"

#include <algorithm>
#include <cassert>
#include <string>

#include "millrace/protocol/record_batch.h"
#include "millrace/replication/errc.h"

namespace millrace::replication {

namespace {

constexpr size_t kScanReadBytes = 1024 * 1024;

// Splits whole batches read from storage into entries. Batches without an epoch read as term 0.
Result<std::vector<Entry>> split_batches(ByteView bytes) {
  std::vector<Entry> entries;
  size_t at = 0;
  while (at < bytes.size()) {
    const protocol::RecordBatchHeader header = protocol::read_batch_header(bytes.subspan(at));
    const auto size = static_cast<size_t>(header.size_bytes());
    Buffer batch(bytes.begin() + static_cast<std::ptrdiff_t>(at),
                 bytes.begin() + static_cast<std::ptrdiff_t>(at + size));
    if (header.partition_leader_epoch < 0) protocol::set_partition_leader_epoch(batch, 0);
    auto entry = Entry::from_batch(std::move(batch));
    if (!entry) return std::move(entry).error();
    entries.push_back(std::move(entry).value());
    at += size;
  }
  return entries;
}

}  // namespace

SegmentedLog::SegmentedLog(storage::PartitionLog& log, LogStart start)
    : log_(log), start_(std::move(start)) {}

Result<std::unique_ptr<SegmentedLog>> SegmentedLog::open(storage::PartitionLog& log,
                                                         std::optional<LogStart> start) {
  if (!start && log.log_start_offset() != Offset{0}) {
    return make_error(errc::invalid_argument, "the log begins at offset " +
                                                  std::to_string(log.log_start_offset().value) +
                                                  ": its Raft start (term before it) must be given");
  }
  LogStart begin = start.value_or(LogStart{});
  if (begin.offset < log.log_start_offset() || begin.offset > log.log_end_offset()) {
    return make_error(errc::invalid_argument,
                      "Raft start " + std::to_string(begin.offset.value) + " is outside the partition log");
  }
  std::unique_ptr<SegmentedLog> raft_log(new SegmentedLog(log, std::move(begin)));
  if (Status s = raft_log->scan(); !s) return std::move(s).error();
  return raft_log;
}

Status SegmentedLog::scan() {
  Offset offset = start_.offset;
  while (offset < log_.log_end_offset()) {
    auto read = log_.read(offset, kScanReadBytes, log_.log_end_offset());
    if (!read) return std::move(read).error();
    auto entries = split_batches(read->bytes);
    if (!entries) return std::move(entries).error();
    for (const Entry& entry : *entries) remember(entry);
    offset = read->next_offset;
  }
  return {};
}

void SegmentedLog::remember(const Entry& entry) {
  terms_.on_append(entry.term, entry.base_offset);
  if (entry.kind == EntryKind::configuration) configurations_.push_back(entry);
}

Offset SegmentedLog::flushed_offset() const {
  return std::max(log_.flushed_offset(), start_.offset);
}

Term SegmentedLog::term_at(Offset offset) const {
  assert(offset.value >= start_.offset.value - 1 && offset < end_offset());
  return offset < start_.offset ? start_.term_before : terms_.term_at(offset);
}

Offset SegmentedLog::term_first_offset(Offset offset) const {
  assert(offset >= start_.offset && offset < end_offset());
  return terms_.term_first_offset(offset);
}

Result<std::vector<Entry>> SegmentedLog::read(Offset from, size_t max_bytes) const {
  if (from < start_.offset || from >= end_offset()) {
    return make_error(errc::offset_out_of_range, "read at " + std::to_string(from.value));
  }
  std::vector<Entry> out;
  size_t bytes = 0;
  Offset offset = from;
  // A storage read never spans two segments: continue while the budget allows.
  while (offset < end_offset() && (out.empty() || bytes < max_bytes)) {
    auto read = log_.read(offset, out.empty() ? max_bytes : max_bytes - bytes, end_offset());
    if (!read) return std::move(read).error();
    auto entries = split_batches(read->bytes);
    if (!entries) return std::move(entries).error();
    for (Entry& entry : *entries) {
      if (!out.empty() && bytes + entry.size_bytes() > max_bytes) return out;
      bytes += entry.size_bytes();
      out.push_back(std::move(entry));
    }
    offset = read->next_offset;
  }
  return out;
}

Status SegmentedLog::append(const std::vector<Entry>& entries) {
  if (entries.empty()) return {};
  Buffer batches;
  Offset expected = end_offset();
  for (const Entry& entry : entries) {
    if (entry.base_offset != expected) {
      return make_error(errc::invalid_argument, "append at " + std::to_string(entry.base_offset.value) +
                                                    " does not continue the log at " +
                                                    std::to_string(expected.value));
    }
    batches.insert(batches.end(), entry.batch.begin(), entry.batch.end());
    expected = entry.end_offset();
  }
  // Storage assigns offsets from its log end, which is where these entries already begin.
  auto appended = log_.append(batches);
  if (!appended) return std::move(appended).error();
  assert(appended->base_offset == entries.front().base_offset);
  for (const Entry& entry : entries) remember(entry);
  return {};
}

Status SegmentedLog::truncate_suffix(Offset end) {
  if (end < start_.offset)
    return make_error(errc::offset_out_of_range, "truncate_suffix below the log start");
  if (Status s = log_.truncate_to(end); !s) return s;
  terms_.truncate_suffix(end);
  std::erase_if(configurations_, [end](const Entry& e) { return e.base_offset >= end; });
  return {};
}

Status SegmentedLog::truncate_prefix(const LogStart& start) {
  if (start.offset <= start_.offset || start.offset > end_offset()) {
    return make_error(errc::offset_out_of_range, "truncate_prefix to " + std::to_string(start.offset.value));
  }
  start_ = start;
  terms_.truncate_prefix(start.offset);
  if (start.offset == end_offset()) terms_.clear();
  std::erase_if(configurations_, [&start](const Entry& e) { return e.base_offset < start.offset; });
  return {};
}

Status SegmentedLog::reset(const LogStart& start) {
  if (Status s = log_.truncate_fully(start.offset); !s) return s;
  start_ = start;
  terms_.clear();
  configurations_.clear();
  return {};
}

}  // namespace millrace::replication
