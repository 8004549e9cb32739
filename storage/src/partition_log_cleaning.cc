// PartitionLog::Impl: log compaction — preparing a cleaning pass and swapping its cleaned segments in.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cassert>
#include <string>

#include "cleaning_pass.h"
#include "compaction_swap.h"
#include "millrace/storage/errc.h"
#include "partition_log_impl.h"
#include "segment.h"
#include "segment_file.h"
#include "segment_loader.h"

namespace millrace::storage {

const CleanerCheckpoint& PartitionLog::Impl::cleaner_checkpoint() {
  if (!cleaner_checkpoint_) cleaner_checkpoint_ = CleanerCheckpointFile::read(directory_.path());
  return *cleaner_checkpoint_;
}

Status PartitionLog::Impl::clamp_cleaner_checkpoint() {
  CleanerCheckpoint checkpoint = cleaner_checkpoint();
  if (checkpoint.clean_up_to <= log_end_offset()) return {};
  checkpoint.clean_up_to = log_end_offset();
  cleaner_checkpoint_ = checkpoint;
  // Durable like the truncation itself: new batches at these offsets must never count as clean.
  return CleanerCheckpointFile::write(directory_.path(), checkpoint, true);
}

std::optional<CleaningJob> PartitionLog::Impl::prepare_cleaning(const CleaningOptions& options) {
  if (closed_ || cleaning_outstanding_) return std::nullopt;
  const CleanerCheckpoint& checkpoint = cleaner_checkpoint();
  const Offset dirty_start = std::max(checkpoint.clean_up_to, log_start_offset());
  std::vector<CleaningInput> inputs;
  int64_t total_bytes = 0;
  int64_t dirty_bytes = 0;
  for (size_t i = 0; i + 1 < segments_.size(); ++i) {  // never the active segment
    const Segment& segment = *segments_[i];
    if (segment.next_offset() > options.clean_up_to) break;
    inputs.push_back({segment.base_offset(), segment.next_offset(), segment.size_bytes(), segment.files()});
    total_bytes += segment.size_bytes();
    if (segment.next_offset() > dirty_start) dirty_bytes += segment.size_bytes();
  }
  if (total_bytes == 0) return std::nullopt;
  const bool tombstones_due = checkpoint.oldest_tombstone_ms >= 0 &&
                              checkpoint.oldest_tombstone_ms < options.now_ms - options.delete_retention_ms;
  const double dirty_ratio = static_cast<double>(dirty_bytes) / static_cast<double>(total_bytes);
  if (!tombstones_due && (dirty_bytes == 0 || dirty_ratio < options.min_dirty_ratio)) return std::nullopt;
  cleaning_outstanding_ = true;
  return CleaningJob(std::make_shared<CleaningPass>(directory_.path(), config_, options, std::move(inputs),
                                                    dirty_start, truncations_));
}

std::optional<size_t> PartitionLog::Impl::unchanged_closed_segment(const CleaningPass& pass,
                                                                   Offset base) const {
  const auto input = std::find_if(pass.inputs().begin(), pass.inputs().end(),
                                  [base](const CleaningInput& in) { return in.base_offset == base; });
  assert(input != pass.inputs().end());
  for (size_t i = 0; i + 1 < segments_.size(); ++i) {
    const Segment& segment = *segments_[i];
    if (segment.base_offset() != base) continue;
    if (segment.files() != input->files || segment.size_bytes() != input->size_bytes ||
        segment.next_offset() != input->next_offset) {
      return std::nullopt;
    }
    return i;
  }
  return std::nullopt;
}

Status PartitionLog::Impl::reopen_segment(size_t index) {
  auto segment =
      Segment::open(directory_.file_system(), directory_.path(), segments_[index]->base_offset(), config_);
  if (!segment) return std::move(segment).error();
  auto trusted = SegmentLoader::trust(**segment, config_);
  if (!trusted) return std::move(trusted).error();
  if (!*trusted) {
    // A cleaned segment was fsynced before the swap: anything wrong in it is corruption, never a torn tail.
    auto recovered = SegmentLoader::recover(**segment, config_, segments_[index]->next_offset(), {});
    if (!recovered) return std::move(recovered).error();
  }
  if (Status s = (*segment)->load_time_index(config_); !s) return s;
  if ((*segment)->next_offset() != segments_[index]->next_offset()) {
    return make_error(errc::corrupt_data, (*segment)->log_path().string() + ": cleaned segment ends at " +
                                              std::to_string((*segment)->next_offset().value));
  }
  segments_[index] = std::move(*segment);
  return {};
}

Result<CleaningStats> PartitionLog::Impl::finish_cleaning(CleaningJob& job) {
  CleaningPass& pass = job.pass();
  cleaning_outstanding_ = false;
  CleaningStats& stats = pass.stats();
  auto abandon = [&](std::string why) -> Result<CleaningStats> {
    CompactionSwap::discard(pass.directory(), pass.rewritten());
    stats.abandoned = std::move(why);
    return stats;
  };
  if (!pass.succeeded()) return abandon("the pass failed: " + pass.failure().to_string());
  if (closed_) return abandon("the log was closed");
  if (pass.truncations() != truncations_) return abandon("the log was truncated meanwhile");
  std::vector<size_t> indexes;
  for (Offset base : pass.rewritten()) {
    auto index = unchanged_closed_segment(pass, base);
    if (!index) return abandon("segment " + std::to_string(base.value) + " changed meanwhile");
    indexes.push_back(*index);
  }
  if (!pass.rewritten().empty()) {
    if (Status s = CompactionSwap::commit(directory_.path(), pass.rewritten()); !s) {
      closed_ = true;  // part of the swap is done: reopening the log finishes it
      return std::move(s).error();
    }
    for (size_t index : indexes) {
      // The old files are gone (renamed over); a flush still holding them has nothing left to sync, and the
      // cleaned files replacing them were fsynced before the swap.
      segments_[index]->files()->mark_removed();
      if (Status s = reopen_segment(index); !s) {
        closed_ = true;
        return std::move(s).error();
      }
    }
  }
  cleaner_checkpoint_ = pass.new_checkpoint();
  if (Status s = CleanerCheckpointFile::write(directory_.path(), *cleaner_checkpoint_, false); !s) {
    spdlog::warn("cleaner checkpoint not saved ({}); the next pass maps more", s.error().to_string());
  }
  stats.swapped = !pass.rewritten().empty();
  return stats;
}

}  // namespace millrace::storage
