#include "partition_log_impl.h"

#include <algorithm>
#include <cassert>
#include <string>

#include <spdlog/spdlog.h>

#include "millrace/protocol/byte_order.h"
#include "millrace/protocol/record_batch_format.h"
#include "millrace/storage/disk_format.h"
#include "millrace/storage/errc.h"
#include "offset_assigner.h"
#include "recovery_point_file.h"
#include "segment.h"

namespace millrace::storage {

namespace bf = protocol::batch_format;
namespace df = disk_format;
using protocol::load_be;

Status PartitionLog::Impl::validate(const LogConfig& config) {
  if (config.segment_bytes < 1 || config.segment_bytes > df::kMaxSegmentFileBytes) {
    return make_error(errc::invalid_argument, "segment_bytes " + std::to_string(config.segment_bytes) +
                                                  " is not in [1, " +
                                                  std::to_string(df::kMaxSegmentFileBytes) + "]");
  }
  if (config.index_interval_bytes < 1) {
    return make_error(errc::invalid_argument, "index_interval_bytes must be positive");
  }
  if (config.max_batch_bytes < static_cast<int64_t>(bf::kHeaderSize) ||
      config.max_batch_bytes > df::kMaxSegmentFileBytes) {
    return make_error(errc::invalid_argument, "max_batch_bytes " + std::to_string(config.max_batch_bytes) +
                                                  " is not in [" + std::to_string(bf::kHeaderSize) + ", " +
                                                  std::to_string(df::kMaxSegmentFileBytes) + "]");
  }
  return {};
}

PartitionLog::Impl::Impl(LogDirectory directory, const LogConfig& config, LoadedLog loaded)
    : directory_(std::move(directory)),
      config_(config),
      segments_(std::move(loaded.segments)),
      flushed_offset_(loaded.flushed_offset),
      recovery_point_written_(loaded.flushed_offset) {
  assert(!segments_.empty());
}

PartitionLog::Impl::~Impl() = default;

Result<AppendResult> PartitionLog::Impl::append(MutableByteView batches) {
  if (closed_) return closed_error(directory_);
  if (active().has_unclean_tail()) {
    return make_error(errc::io_error, active().log_path().string() +
                                          ": a failed write could not be undone; reopen the log to recover");
  }
  const auto size = static_cast<int64_t>(batches.size());
  if (size > df::kMaxSegmentFileBytes) {
    return make_error(errc::invalid_argument, "append of " + std::to_string(size) +
                                                  " bytes is over the limit of " +
                                                  std::to_string(df::kMaxSegmentFileBytes));
  }
  auto assigned = assign_offsets(batches, log_end_offset(), config_.max_batch_bytes);
  if (!assigned) return std::move(assigned).error();
  const Offset last_offset{assigned->next_offset.value - 1};
  if (last_offset.value - assigned->base_offset.value > df::kMaxRelativeOffset) {
    return make_error(errc::invalid_argument, "append spans more offsets than one segment can hold");
  }
  if (!active().fits(size, last_offset, config_.segment_bytes)) {
    if (Status s = roll(); !s) return std::move(s).error();
  }
  if (Status s = active().append(batches, assigned->next_offset); !s) return std::move(s).error();
  return AppendResult{assigned->base_offset, last_offset};
}

Status PartitionLog::Impl::roll() {
  if (Status s = active().write_unwritten_index_entries(); !s) return s;
  active().files()->log().release_reserved();  // nothing more is appended to it
  auto segment = Segment::create(directory_.file_system(), directory_.path(), log_end_offset(), config_);
  if (!segment) return std::move(segment).error();
  segments_.push_back(std::move(segment).value());
  return {};
}

Result<RangeReadResult> PartitionLog::Impl::read_ranges(Offset offset, size_t max_bytes, Offset up_to) const {
  if (closed_) return closed_error(directory_);
  if (offset < log_start_offset() || offset > log_end_offset()) {
    return make_error(errc::offset_out_of_range, "offset " + std::to_string(offset.value) + " is outside [" +
                                                     std::to_string(log_start_offset().value) + ", " +
                                                     std::to_string(log_end_offset().value) + "]");
  }
  if (offset == log_end_offset() || offset >= up_to) return RangeReadResult{{}, offset};

  const Segment& segment = segment_containing(offset);
  auto first = segment.find_batch(offset);
  if (!first) return std::move(first).error();
  auto stop = segment.position_of_first_batch_at_or_after(up_to);
  if (!stop) return std::move(stop).error();
  assert(*stop - first->position >= first->header.size_bytes());
  const auto wanted = static_cast<int64_t>(std::min<size_t>(max_bytes, df::kMaxSegmentFileBytes));
  auto end = segment.whole_batches_end(*first, std::min(*stop, first->position + wanted));
  if (!end) return std::move(end).error();
  const auto [end_position, next_offset] = *end;
  RangeReadResult result{{}, next_offset};
  result.ranges.emplace_back(segment.files(), first->position, end_position - first->position,
                             segment.files()->cuts());
  return result;
}

Result<ReadResult> PartitionLog::Impl::read(Offset offset, size_t max_bytes, Offset up_to) const {
  auto ranges = read_ranges(offset, max_bytes, up_to);
  if (!ranges) return std::move(ranges).error();
  ReadResult result{Buffer(ranges->size_bytes()), ranges->next_offset};
  size_t at = 0;
  for (const FileRange& range : ranges->ranges) {
    const MutableByteView into(result.bytes.data() + at, static_cast<size_t>(range.length()));
    if (Status s = range.read(0, into); !s) return std::move(s).error();
    at += into.size();
  }
  return result;
}

const Segment* PartitionLog::Impl::segment_at(Offset offset) const {
  const auto after =
      std::upper_bound(segments_.begin(), segments_.end(), offset,
                       [](Offset o, const std::unique_ptr<Segment>& s) { return o < s->base_offset(); });
  return after == segments_.begin() ? nullptr : (after - 1)->get();
}

const Segment& PartitionLog::Impl::segment_containing(Offset offset) const {
  const Segment* segment = segment_at(offset);
  assert(segment != nullptr && offset < segment->next_offset());
  return *segment;
}

FlushJob PartitionLog::Impl::prepare_flush() {
  const Offset log_end = log_end_offset();
  if (closed_ || log_end == flushed_offset_) return FlushJob({}, flushed_offset_, truncations_);
  std::vector<std::shared_ptr<SegmentFile>> files;
  // Also the older segments whose indexes only the page cache holds (their .log was synced while they were
  // the newest segment of a job): the recovery point may move past them now.
  for (auto it = segments_.rbegin();
       it != segments_.rend() && ((*it)->next_offset() > flushed_offset_ ||
                                  (it != segments_.rbegin() && (*it)->files()->indexes_unsynced()));
       ++it) {
    if (Status s = (*it)->write_unwritten_index_entries(); !s) {
      spdlog::warn("{} (kept in memory; retried at the next flush)", s.error().to_string());
    }
    files.push_back((*it)->files());
  }
  // Oldest first: a new segment's directory entry becomes durable only after the segments before it are, so
  // a crash part-way through the job cannot leave a durable new segment behind an older one's lost tail.
  std::reverse(files.begin(), files.end());
  std::vector<int64_t> log_ends;
  log_ends.reserve(files.size());
  for (const auto& file : files) log_ends.push_back(file->log().size());
  return FlushJob(std::move(files), log_end, truncations_, std::move(log_ends));
}

void PartitionLog::Impl::mark_flushed(Offset up_to) {
  assert(up_to <= log_end_offset());
  if (closed_ || up_to <= flushed_offset_) return;
  flushed_offset_ = up_to;
  // Recovery validates from the segment holding the recovery point onwards, so moving the point within a
  // segment saves it no work: rewrite the file only when the flushed offset reaches a newer segment. This
  // keeps a file write and rename off most group commits (it was most of the network thread's time).
  // An older recovery point is always safe: it only makes recovery validate more.
  if (segment_base_at(up_to) <= segment_base_at(recovery_point_written_)) return;
  if (Status s = RecoveryPointFile::write(*directory_.file_system(), directory_.path(), up_to, false); !s) {
    spdlog::warn("recovery point not saved ({}); the next recovery will validate more",
                 s.error().to_string());
    return;
  }
  recovery_point_written_ = up_to;
}

Offset PartitionLog::Impl::segment_base_at(Offset offset) const {
  const Segment* segment = segment_at(offset);
  return segment == nullptr ? Offset{-1} : segment->base_offset();
}

void PartitionLog::Impl::mark_flushed(const FlushJob& job) {
  if (job.truncations() != truncations_) return;  // stale: prepared before a truncation
  mark_flushed(job.flushed_up_to());
}

Status PartitionLog::Impl::truncate_to(Offset new_end) {
  if (closed_) return closed_error(directory_);
  if (new_end < log_start_offset() || new_end > log_end_offset()) {
    return make_error(errc::offset_out_of_range, "truncate_to " + std::to_string(new_end.value) +
                                                     " is outside [" +
                                                     std::to_string(log_start_offset().value) + ", " +
                                                     std::to_string(log_end_offset().value) + "]");
  }
  if (new_end == log_end_offset()) return {};
  if (new_end > segment_containing(new_end).base_offset()) {
    auto location = segment_containing(new_end).find_batch(new_end);
    if (!location) return std::move(location).error();
    if (location->header.base_offset != new_end.value) {
      return make_error(errc::invalid_argument,
                        "truncate_to " + std::to_string(new_end.value) + " is not at a batch boundary");
    }
  }
  // Newest first, so that a crash part-way leaves a shorter but consistent log.
  while (segments_.size() > 1 && segments_.back()->base_offset() >= new_end) {
    if (Status s = segments_.back()->remove_files(); !s) return s;
    segments_.pop_back();
  }
  if (Status s = active().truncate_to(new_end); !s) return s;
  return after_truncation();
}

Status PartitionLog::Impl::truncate_fully(Offset new_start) {
  if (closed_) return closed_error(directory_);
  if (new_start.value < 0) return make_error(errc::invalid_argument, "truncate_fully to a negative offset");
  for (auto it = segments_.rbegin(); it != segments_.rend(); ++it) {
    if (Status s = (*it)->remove_files(); !s) {
      closed_ = true;  // part of the log is gone: the owner must reopen it
      return s;
    }
  }
  // Durably empty before the new segment appears: a crash leaves the old log's prefix, nothing, or the new.
  if (Status s = directory_.sync(); !s) {
    closed_ = true;
    return s;
  }
  auto segment = Segment::create(directory_.file_system(), directory_.path(), new_start, config_);
  if (!segment) {
    closed_ = true;
    return std::move(segment).error();
  }
  segments_.clear();
  segments_.push_back(std::move(segment).value());
  flushed_offset_ = new_start;
  if (Status s = segments_.back()->files()->sync(); !s) return s;
  return after_truncation();
}

// Makes a truncation durable (directory entries, recovery point) and marks FlushJobs prepared before it
// stale.
Status PartitionLog::Impl::after_truncation() {
  ++truncations_;
  flushed_offset_ = std::min(flushed_offset_, log_end_offset());
  if (Status s = directory_.sync(); !s) return s;
  if (Status s =
          RecoveryPointFile::write(*directory_.file_system(), directory_.path(), flushed_offset_, true);
      !s)
    return s;
  recovery_point_written_ = flushed_offset_;
  return clamp_cleaner_checkpoint();  // compaction: offsets past the new end are no longer clean
}

Status PartitionLog::Impl::close() {
  if (closed_) return closed_error(directory_);
  closed_ = true;
  if (active().has_unclean_tail()) {
    return make_error(errc::io_error, directory_.path().string() +
                                          ": closed without a clean-shutdown marker "
                                          "after a failed write");
  }
  active().files()->log().release_reserved();  // readers may keep the files open after this
  for (const auto& segment : segments_) {
    if (Status s = segment->write_unwritten_index_entries(); !s) return s;
    if (Status s = segment->files()->sync(); !s) return s;
  }
  flushed_offset_ = log_end_offset();
  if (Status s =
          RecoveryPointFile::write(*directory_.file_system(), directory_.path(), flushed_offset_, true);
      !s)
    return s;
  return directory_.write_clean_shutdown_marker();
}

Offset PartitionLog::Impl::log_start_offset() const {
  return segments_.front()->base_offset();
}

Offset PartitionLog::Impl::log_end_offset() const {
  return segments_.back()->next_offset();
}

int64_t PartitionLog::Impl::size_bytes() const {
  int64_t total = 0;
  for (const auto& segment : segments_) total += segment->size_bytes();
  return total;
}

}  // namespace millrace::storage
