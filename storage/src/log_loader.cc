#include "log_loader.h"

#include <algorithm>
#include <optional>
#include <span>
#include <string>

#include <spdlog/spdlog.h>

#include "compaction_swap.h"
#include "log_directory.h"
#include "millrace/storage/errc.h"
#include "recovery_point_file.h"
#include "segment.h"
#include "segment_loader.h"

namespace millrace::storage {
namespace {

// Index of the first segment to recover: the one holding the recovery point (0 without one).
size_t first_segment_to_recover(const std::vector<Offset>& base_offsets,
                                std::optional<Offset> recovery_point) {
  if (!recovery_point) return 0;
  const auto after = std::upper_bound(base_offsets.begin(), base_offsets.end(), *recovery_point);
  return after == base_offsets.begin() ? 0 : static_cast<size_t>(after - base_offsets.begin()) - 1;
}

// Brings an opened segment to its on-disk state: trusts it if allowed and its headers line up, recovers it
// otherwise. Returns true if recovery cut a torn tail (the `later` segments then hold nothing valid).
Result<bool> load_segment(Segment& segment, const LogConfig& config, bool may_trust,
                          std::optional<Offset> recovery_point,
                          std::span<const std::unique_ptr<Segment>> later) {
  bool trusted = false;
  if (may_trust) {
    auto checked = SegmentLoader::trust(segment, config);
    if (!checked) return std::move(checked).error();
    trusted = *checked;
    if (!trusted) {
      spdlog::warn("{}: batch headers do not line up with the file; validating every batch",
                   segment.log_path().string());
    }
  }
  bool cut = false;
  if (!trusted) {
    auto recovered = SegmentLoader::recover(segment, config, recovery_point, later);
    if (!recovered) return std::move(recovered).error();
    cut = *recovered;
  }
  if (Status s = segment.load_time_index(config); !s) return std::move(s).error();
  return cut;
}

// Removes the segments after a torn tail: a roll created them just before the crash, and nothing of them
// survived whole.
Status remove_segments_after_torn_tail(const LogDirectory& directory,
                                       std::span<std::unique_ptr<Segment>> later) {
  for (auto it = later.rbegin(); it != later.rend(); ++it) {
    spdlog::warn("{}: removing a segment after a torn tail (it holds no valid batch)",
                 (*it)->log_path().string());
    if (Status s = (*it)->remove_files(); !s) return s;
  }
  return later.empty() ? Status{} : directory.sync();
}

}  // namespace

Result<LoadedLog> LogLoader::load(const LogDirectory& directory, const LogConfig& config) {
  if (Status s = directory.create_if_missing(); !s) return std::move(s).error();
  if (Status s = directory.remove_temporary_files(); !s) return std::move(s).error();
  // Compaction: finish a committed segment swap, or roll back an unfinished pass.
  if (Status s = CompactionSwap::recover(directory.path()); !s) return std::move(s).error();
  auto clean = directory.has_clean_shutdown_marker();
  if (!clean) return std::move(clean).error();
  auto base_offsets = directory.list_segment_base_offsets();
  if (!base_offsets) return std::move(base_offsets).error();

  LoadedLog log;
  if (base_offsets->empty()) {
    auto segment = Segment::create(directory.file_system(), directory.path(), Offset{0}, config);
    if (!segment) return std::move(segment).error();
    log.segments.push_back(std::move(segment).value());
  }
  const std::optional<Offset> recovery_point =
      *clean ? std::nullopt : RecoveryPointFile::read(*directory.file_system(), directory.path());
  const size_t first_recovered =
      *clean ? base_offsets->size() : first_segment_to_recover(*base_offsets, recovery_point);
  std::vector<std::unique_ptr<Segment>> opened;
  for (const Offset base : *base_offsets) {
    auto segment = Segment::open(directory.file_system(), directory.path(), base, config);
    if (!segment) return std::move(segment).error();
    opened.push_back(std::move(segment).value());
  }
  for (size_t i = 0; i < opened.size(); ++i) {
    const std::span<std::unique_ptr<Segment>> later = std::span(opened).subspan(i + 1);
    auto cut = load_segment(*opened[i], config, i < first_recovered, recovery_point, later);
    if (!cut) return std::move(cut).error();
    if (!log.segments.empty() && opened[i]->base_offset() != log.segments.back()->next_offset()) {
      return make_error(errc::corrupt_data, opened[i]->log_path().string() + " starts at offset " +
                                                std::to_string(opened[i]->base_offset().value) +
                                                " but the previous segment ends at offset " +
                                                std::to_string(log.segments.back()->next_offset().value));
    }
    log.segments.push_back(std::move(opened[i]));
    if (*cut) {
      if (Status s = remove_segments_after_torn_tail(directory, later); !s) return std::move(s).error();
      break;
    }
  }

  const Offset log_start = log.segments.front()->base_offset();
  const Offset log_end = log.segments.back()->next_offset();
  // After a crash only what the recovery point vouches for is known to be durable.
  Offset flushed = log_end;
  if (!*clean) flushed = recovery_point ? std::clamp(*recovery_point, log_start, log_end) : log_start;
  log.flushed_offset = flushed;
  if (*clean) {
    if (Status s = directory.remove_clean_shutdown_marker(); !s) return std::move(s).error();
  }
  return log;
}

}  // namespace millrace::storage
