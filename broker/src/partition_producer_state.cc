#include "millrace/broker/partition_producer_state.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "millrace/broker/producer_snapshot_file.h"
#include "millrace/broker/producer_snapshot_format.h"
#include "millrace/protocol/errc.h"
#include "millrace/protocol/record_batch.h"

namespace millrace::broker {

namespace {

constexpr size_t kReplayReadBytes = 1024 * 1024;

template <class F>
void for_each_header(ByteView batches, F&& f) {
  size_t pos = 0;
  while (pos + protocol::batch_format::kHeaderSize <= batches.size()) {
    const auto header = protocol::read_batch_header(batches.subspan(pos));
    f(header);
    pos += static_cast<size_t>(header.size_bytes());
  }
}

}  // namespace

Status PartitionProducerState::load(const storage::PartitionLog& log) {
  table_.clear();
  const Offset end = log.log_end_offset();
  std::vector<Offset> offsets = ProducerSnapshotFile::list(dir_);
  Offset from = log.log_start_offset();
  for (auto it = offsets.rbegin(); it != offsets.rend(); ++it) {
    if (*it > end) {
      // Written before the log lost its tail: it knows batches the log no longer has.
      if (Status st = ProducerSnapshotFile::remove(dir_, *it); !st) return st;
      continue;
    }
    auto snapshot = ProducerSnapshotFile::read(dir_, *it);
    if (!snapshot) {
      spdlog::warn("{}: producer snapshot at offset {} is unreadable; using an older one or the log",
                   dir_.string(), it->value);
      continue;
    }
    table_ = std::move(snapshot->table);
    from = std::max(*it, log.log_start_offset());
    break;
  }
  changed_since_snapshot_ = false;
  return replay(log, from);
}

Status PartitionProducerState::replay(const storage::PartitionLog& log, Offset from) {
  const Offset end = log.log_end_offset();
  Offset at = from;
  while (at < end) {
    auto read = log.read(at, kReplayReadBytes, end);
    if (!read) return std::move(read).error();
    if (read->bytes.empty()) break;
    for_each_header(ByteView(read->bytes), [&](const protocol::RecordBatchHeader& h) {
      if (h.is_control() || h.last_offset() < at.value) return;
      table_.record(ProducerBatchInfo::from_header(h), Offset{h.base_offset}, Offset{h.last_offset()});
      changed_since_snapshot_ = true;
    });
    at = read->next_offset;
  }
  return {};
}

Result<SequenceCheck> PartitionProducerState::check(ByteView batches) const {
  int count = 0;
  bool idempotent = false;
  ProducerBatchInfo first;
  for_each_header(batches, [&](const protocol::RecordBatchHeader& h) {
    if (count++ == 0) first = ProducerBatchInfo::from_header(h);
    idempotent = idempotent || h.producer_id != protocol::batch_format::kNoProducerId;
  });
  if (!idempotent) return SequenceCheck{};
  if (count > 1) {
    return make_error(
        protocol::errc::invalid_record,
        "an idempotent record batch must be the only batch for its partition in a produce request");
  }
  return table_.check(first);
}

void PartitionProducerState::record(ByteView batches) {
  for_each_header(batches, [&](const protocol::RecordBatchHeader& h) {
    const auto info = ProducerBatchInfo::from_header(h);
    if (!info.idempotent()) return;
    table_.record(info, Offset{h.base_offset}, Offset{h.last_offset()});
    changed_since_snapshot_ = true;
  });
}

void PartitionProducerState::expire(int64_t now_ms) {
  if (table_.expire(now_ms, expiration_ms_) > 0) changed_since_snapshot_ = true;
}

Status PartitionProducerState::snapshot(const storage::PartitionLog& log) {
  std::vector<Offset> existing = ProducerSnapshotFile::list(dir_);
  const Offset end = log.log_end_offset();
  const bool have_current = !existing.empty() && existing.back() == end;
  const bool nothing_to_say = existing.empty() && table_.producers().empty() && end == log.log_start_offset();
  if (!changed_since_snapshot_ && (have_current || nothing_to_say)) return {};
  if (Status st = ProducerSnapshotFile::write(dir_, ProducerSnapshot{end, table_}); !st) return st;
  changed_since_snapshot_ = false;
  existing = ProducerSnapshotFile::list(dir_);
  const size_t keep = producer_snapshot_format::kSnapshotsRetained;
  for (size_t i = 0; i + keep < existing.size(); ++i) {
    if (Status st = ProducerSnapshotFile::remove(dir_, existing[i]); !st) return st;
  }
  return {};
}

Status PartitionProducerState::truncated(const storage::PartitionLog& log) {
  return load(log);
}

}  // namespace millrace::broker
