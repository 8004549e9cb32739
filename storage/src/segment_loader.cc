#include "segment_loader.h"

#include <optional>
#include <string>

#include <spdlog/spdlog.h>

#include "millrace/storage/errc.h"
#include "offset_index.h"
#include "segment.h"
#include "segment_scanner.h"

namespace millrace::storage {
namespace {

struct HeaderWalk {
  bool consistent = false;  // headers continue offsets and end exactly at the end of the file
  Offset next_offset;
};

// Walks batch headers from `position` (where a batch with base offset `expected_base` starts) to the end of
// the .log file, reading only headers. Feeds every batch to `index` if given.
Result<HeaderWalk> walk_headers(const Segment& segment, const LogConfig& config, int64_t position,
                                int64_t expected_base, OffsetIndex* index) {
  const int64_t end = segment.log_file_bytes();
  while (position < end) {
    auto header = segment.read_header(position);
    if (!header) {
      if (header.error().code == errc::corrupt_data) return HeaderWalk{};
      return std::move(header).error();
    }
    if (header->base_offset != expected_base || header->size_bytes() > config.max_batch_bytes) {
      return HeaderWalk{};
    }
    if (index != nullptr) index->on_batch(header->base_offset - segment.base_offset().value, position);
    expected_base = header->next_offset();
    position += header->size_bytes();
  }
  return HeaderWalk{true, Offset{expected_base}};
}

}  // namespace

Result<bool> SegmentLoader::trust(Segment& segment, const LogConfig& config) {
  const int64_t log_bytes = segment.log_file_bytes();
  // Let read_header() see the whole file while walking.
  segment.restore(log_bytes, segment.base_offset(), OffsetIndex(config.index_interval_bytes));
  std::optional<OffsetIndex> index;
  if (!segment.index_file_was_missing()) {
    auto bytes = segment.read_index_file();
    if (!bytes) return std::move(bytes).error();
    index = OffsetIndex::decode(*bytes, config.index_interval_bytes, log_bytes);
  }
  if (index) {
    // Walking on from the last entry also adds the entries a short (cut) index file is missing.
    const IndexEntry last = index->last();
    auto walk = walk_headers(segment, config, last.position,
                             segment.base_offset().value + last.relative_offset, &*index);
    if (!walk) return std::move(walk).error();
    if (walk->consistent) {
      const bool extended = index->has_unwritten();
      segment.restore(log_bytes, walk->next_offset, std::move(*index));
      if (!extended) return true;
      spdlog::info("{}: completed a short offset index", segment.log_path().string());
      if (Status s = segment.write_unwritten_index_entries(); !s) return std::move(s).error();
      return true;
    }
  }
  // Missing, malformed or wrong index: rebuild it from the headers.
  OffsetIndex rebuilt(config.index_interval_bytes);
  auto walk = walk_headers(segment, config, 0, segment.base_offset().value, &rebuilt);
  if (!walk) return std::move(walk).error();
  if (!walk->consistent) {
    segment.restore(0, segment.base_offset(), OffsetIndex(config.index_interval_bytes));
    return false;
  }
  spdlog::info("{}: rebuilt the offset index from batch headers", segment.log_path().string());
  if (Status s = segment.restore_and_rewrite_index(log_bytes, walk->next_offset, std::move(rebuilt)); !s) {
    return std::move(s).error();
  }
  return true;
}

Result<bool> SegmentLoader::recover(Segment& segment, const LogConfig& config,
                                    std::optional<Offset> recovery_point,
                                    std::span<const std::unique_ptr<Segment>> later) {
  auto scan = SegmentScanner::scan(segment, config);
  if (!scan) return std::move(scan).error();
  std::string problem = scan->problem;
  if (problem.empty() && !later.empty() && later.front()->base_offset() != scan->next_offset) {
    // Whole batches up to the end of the file, but not up to the next segment: a tear at a batch boundary.
    problem = "the next segment starts at offset " + std::to_string(later.front()->base_offset().value);
  }
  const bool cut = !problem.empty();
  if (cut) {
    const std::string where = segment.log_path().string() + " at byte " + std::to_string(scan->valid_bytes) +
                              " (offset " + std::to_string(scan->next_offset.value) + "): " + problem;
    if (recovery_point && scan->next_offset < *recovery_point) {
      return make_error(errc::corrupt_data, where + ", below the recovery point " +
                                                std::to_string(recovery_point->value) +
                                                " (fsynced data is damaged, not torn)");
    }
    // A torn tail has nothing valid after it: not later in this file, nor in a later segment (a roll just
    // before the crash may have left one, empty or torn itself).
    const Segment* in = &segment;
    auto found =
        SegmentScanner::find_valid_batch(segment, config, scan->valid_bytes + 1, scan->next_offset.value);
    for (size_t i = 0; found && !*found && i < later.size(); ++i) {
      in = later[i].get();
      found = SegmentScanner::find_valid_batch(*in, config, 0, scan->next_offset.value);
    }
    if (!found) return std::move(found).error();
    if (*found) {
      return make_error(errc::corrupt_data, where + ", and a valid batch follows at byte " +
                                                std::to_string(**found) + " of " + in->log_path().string() +
                                                " (damage inside the log, not a torn tail)");
    }
    spdlog::warn("{}; truncating {} bytes of torn tail", where, segment.log_file_bytes() - scan->valid_bytes);
    if (Status s = segment.truncate_log(scan->valid_bytes); !s) return std::move(s).error();
  }
  if (Status s =
          segment.restore_and_rewrite_index(scan->valid_bytes, scan->next_offset, std::move(scan->index));
      !s) {
    return std::move(s).error();
  }
  return cut;
}

}  // namespace millrace::storage
