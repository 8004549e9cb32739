#include "segment.h"

#include <array>
#include <cassert>
#include <string>
#include <system_error>

#include "io_error.h"
#include "millrace/protocol/byte_order.h"
#include "millrace/protocol/record_batch_format.h"
#include "millrace/storage/disk_format.h"
#include "millrace/storage/errc.h"
#include "segment_names.h"

namespace millrace::storage {

namespace bf = protocol::batch_format;
namespace df = disk_format;
using protocol::load_be;
using protocol::RecordBatchHeader;

Result<std::unique_ptr<Segment>> Segment::create(const std::shared_ptr<FileSystem>& file_system,
                                                 const std::filesystem::path& directory, Offset base_offset,
                                                 const LogConfig& config) {
  return open_files(file_system, directory, base_offset, config, true);
}

Result<std::unique_ptr<Segment>> Segment::open(const std::shared_ptr<FileSystem>& file_system,
                                               const std::filesystem::path& directory, Offset base_offset,
                                               const LogConfig& config) {
  return open_files(file_system, directory, base_offset, config, false);
}

Result<std::unique_ptr<Segment>> Segment::open_files(const std::shared_ptr<FileSystem>& file_system,
                                                     const std::filesystem::path& directory,
                                                     Offset base_offset, const LogConfig& config,
                                                     bool create) {
  const std::filesystem::path index_path = segment_index_path(directory, base_offset);
  std::error_code ec;
  const bool index_missing = !std::filesystem::exists(index_path, ec);
  auto log = file_system->open(segment_log_path(directory, base_offset),
                               create ? OpenMode::create_new : OpenMode::open_existing);
  if (!log) return std::move(log).error();
  auto index = file_system->open(index_path, create ? OpenMode::create_new : OpenMode::open_or_create);
  if (!index) return std::move(index).error();
  // A segment written before time indexes existed has none: open_or_create, then load_time_index rebuilds it.
  const std::filesystem::path time_index_path = segment_time_index_path(directory, base_offset);
  const bool time_index_missing = !std::filesystem::exists(time_index_path, ec);
  auto time_index =
      file_system->open(time_index_path, create ? OpenMode::create_new : OpenMode::open_or_create);
  if (!time_index) return std::move(time_index).error();
  auto files = std::make_shared<SegmentFile>(std::move(log).value(), std::move(index).value(),
                                             std::move(time_index).value(), file_system, directory,
                                             create || index_missing || time_index_missing);
  return std::unique_ptr<Segment>(
      new Segment(base_offset, config, std::move(files), !create && index_missing));
}

Segment::Segment(Offset base_offset, const LogConfig& config, std::shared_ptr<SegmentFile> files,
                 bool index_file_was_missing)
    : base_offset_(base_offset),
      next_offset_(base_offset),
      index_(config.index_interval_bytes),
      time_index_(config.index_interval_bytes),
      files_(std::move(files)),
      index_file_was_missing_(index_file_was_missing) {
  forget_recent();
}

bool Segment::fits(int64_t bytes, Offset last_offset, int64_t segment_bytes) const {
  if (empty()) return true;
  return size_bytes_ + bytes <= segment_bytes &&
         last_offset.value - base_offset_.value <= df::kMaxRelativeOffset;
}

Status Segment::append(ByteView batches, Offset next_offset) {
  assert(!has_unclean_tail_ && next_offset > next_offset_);
  const int64_t start = size_bytes_;
  assert(log_file_bytes() == start);
  files_->log().reserve_for(start + static_cast<int64_t>(batches.size()));
  if (Status written = files_->log().append(batches); !written) {
    if (log_file_bytes() != start) {
      if (Status undone = files_->log().truncate(start); !undone) {
        has_unclean_tail_ = true;
        return Error{written.error().code, written.error().message + "; removing the partial write failed: " +
                                               undone.error().message};
      }
    }
    return written;
  }
  index_batches(batches, start);
  size_bytes_ += static_cast<int64_t>(batches.size());
  next_offset_ = next_offset;
  return {};
}

void Segment::index_batches(ByteView batches, int64_t start_position) {
  for (size_t at = 0; at < batches.size();) {
    const int64_t batch_base = load_be<int64_t>(batches.data() + at + bf::kBaseOffset);
    const int64_t position = start_position + static_cast<int64_t>(at);
    index_.on_batch(batch_base - base_offset_.value, position);
    time_index_.on_batch(batch_base - base_offset_.value, position,
                         load_be<int64_t>(batches.data() + at + bf::kMaxTimestamp));
    recent_[recent_next_++ % recent_.size()] =
        BatchLocation{position, protocol::read_batch_header(batches.subspan(at, bf::kHeaderSize))};
    at += static_cast<size_t>(load_be<int32_t>(batches.data() + at + bf::kBatchLength)) + bf::kLogOverhead;
  }
}

Result<RecordBatchHeader> Segment::read_header(int64_t position) const {
  std::array<char, bf::kHeaderSize> bytes;
  if (position < 0 || position + static_cast<int64_t>(bytes.size()) > size_bytes_) {
    return make_error(errc::corrupt_data,
                      log_path().string() + ": no batch header fits at byte " + std::to_string(position));
  }
  if (Status s = read_exact(position, bytes); !s) return std::move(s).error();
  const RecordBatchHeader header = protocol::read_batch_header(bytes);
  if (header.size_bytes() < static_cast<int64_t>(bf::kHeaderSize) ||
      position + header.size_bytes() > size_bytes_ || header.last_offset_delta < 0) {
    return make_error(errc::corrupt_data,
                      log_path().string() + ": bad batch header at byte " + std::to_string(position));
  }
  return header;
}

Result<BatchLocation> Segment::find_batch(Offset offset) const {
  assert(offset >= base_offset_ && offset < next_offset_);
  // A tailing reader asks for a batch appended moments ago: no index lookup, no header read.
  for (const BatchLocation& recent : recent_) {
    if (recent.position >= 0 && recent.header.base_offset <= offset.value &&
        offset.value < recent.header.next_offset() &&
        recent.position + recent.header.size_bytes() <= size_bytes_) {
      return recent;
    }
  }
  const IndexEntry entry = index_.lookup(offset.value - base_offset_.value);
  int64_t position = entry.position;
  int64_t expected_base = base_offset_.value + entry.relative_offset;
  while (position < size_bytes_) {
    auto header = read_header(position);
    if (!header) return std::move(header).error();
    if (header->base_offset != expected_base) {
      return make_error(errc::corrupt_data, log_path().string() + ": batch at byte " +
                                                std::to_string(position) + " has base offset " +
                                                std::to_string(header->base_offset) + ", expected " +
                                                std::to_string(expected_base));
    }
    if (header->next_offset() > offset.value) return BatchLocation{position, *header};
    expected_base = header->next_offset();
    position += header->size_bytes();
  }
  return make_error(errc::corrupt_data,
                    log_path().string() + ": no batch contains offset " + std::to_string(offset.value));
}

Result<int64_t> Segment::position_of_first_batch_at_or_after(Offset up_to) const {
  if (up_to >= next_offset_) return size_bytes_;
  if (up_to <= base_offset_) return int64_t{0};
  auto location = find_batch(up_to);
  if (!location) return std::move(location).error();
  if (location->header.base_offset >= up_to.value) return location->position;
  return location->position + location->header.size_bytes();
}

Result<std::pair<int64_t, Offset>> Segment::whole_batches_end(const BatchLocation& first,
                                                              int64_t limit) const {
  // Up to the end of the segment (a tailing reader): the segment knows where its batches end, no header to
  // read.
  if (limit >= size_bytes_) return std::pair{size_bytes_, next_offset_};
  int64_t end = first.position + first.header.size_bytes();
  int64_t next_offset = first.header.next_offset();
  const IndexEntry entry = index_.lookup_position(limit);
  if (static_cast<int64_t>(entry.position) > end) {  // a batch boundary past `first`: start there
    end = entry.position;
    next_offset = base_offset_.value + entry.relative_offset;
  }
  while (end < size_bytes_) {
    auto header = read_header(end);
    if (!header) return std::move(header).error();
    if (header->base_offset != next_offset) {
      return make_error(errc::corrupt_data, log_path().string() + ": batch at byte " + std::to_string(end) +
                                                " has base offset " + std::to_string(header->base_offset) +
                                                ", expected " + std::to_string(next_offset));
    }
    if (end + header->size_bytes() > limit) break;
    end += header->size_bytes();
    next_offset = header->next_offset();
  }
  return std::pair{end, Offset{next_offset}};
}

Status Segment::read_exact(int64_t position, MutableByteView into) const {
  assert(position >= 0 && position + static_cast<int64_t>(into.size()) <= size_bytes_);
  auto read = files_->log().read_at(position, into);
  if (!read) return std::move(read).error();
  if (*read != into.size()) {
    return make_error(errc::corrupt_data, log_path().string() + ": file ends before byte " +
                                              std::to_string(position + static_cast<int64_t>(into.size())));
  }
  return {};
}

Result<Buffer> Segment::read_index_file() const {
  Buffer bytes(static_cast<size_t>(files_->index().size()));
  auto read = files_->index().read_at(0, bytes);
  if (!read) return std::move(read).error();
  bytes.resize(*read);
  return bytes;
}

Status Segment::write_unwritten_index_entries() {
  if (time_index_.has_unwritten()) {
    File& file = files_->time_index();
    const int64_t start = file.size();
    if (Status written = file.append(time_index_.encode_unwritten()); !written) {
      if (file.size() != start) (void)file.truncate(start);  // a short .timeindex is completed on open
      return written;
    }
    time_index_.mark_written();
  }
  if (!index_.has_unwritten()) return {};
  File& file = files_->index();
  const int64_t start = file.size();
  if (Status written = file.append(index_.encode_unwritten()); !written) {
    if (file.size() != start) (void)file.truncate(start);  // a short .index is rebuilt on open anyway
    return written;
  }
  index_.mark_written();
  return {};
}

Status Segment::truncate_to(Offset new_end) {
  assert(new_end >= base_offset_ && new_end <= next_offset_);
  if (new_end == next_offset_) return {};
  int64_t position = 0;
  if (new_end > base_offset_) {
    auto location = find_batch(new_end);
    if (!location) return std::move(location).error();
    if (location->header.base_offset != new_end.value) {
      return make_error(errc::invalid_argument, log_path().string() + ": offset " +
                                                    std::to_string(new_end.value) +
                                                    " is inside a batch, not at a batch boundary");
    }
    position = location->position;
  }
  files_->note_cut(position);  // before the cut: ranges past `position` must not be sent any more
  forget_recent();
  if (Status s = files_->log().truncate(position); !s) return s;
  size_bytes_ = position;
  next_offset_ = new_end;
  has_unclean_tail_ = false;
  index_.truncate_at_position(position);
  index_.mark_written();
  File& index_file = files_->index();
  if (Status s = index_file.truncate(0); !s) return s;
  if (Status s = index_file.append(index_.encode_all()); !s) return s;
  time_index_.truncate_at(new_end.value - base_offset_.value);
  if (Status s = fold_time_index_after_last_entry(); !s) return s;
  if (Status s = rewrite_time_index_file(); !s) return s;
  return files_->sync();
}

Status Segment::remove_files() {
  files_->mark_removed();
  for (const std::filesystem::path& path :
       {log_path(), files_->index().path(), files_->time_index().path()}) {
    std::error_code ec;
    if (!std::filesystem::remove(path, ec) && ec) return make_io_error(ec, "remove", path);
  }
  return {};
}

Status Segment::fold_time_index_from(int64_t position) {
  while (position < size_bytes_) {
    auto header = read_header(position);
    if (!header) return std::move(header).error();
    time_index_.on_batch(header->base_offset - base_offset_.value, position, header->max_timestamp_ms);
    position += header->size_bytes();
  }
  return {};
}

Status Segment::load_time_index(const LogConfig& config) {
  File& file = files_->time_index();
  Buffer bytes(static_cast<size_t>(file.size()));
  auto read = file.read_at(0, bytes);
  if (!read) return std::move(read).error();
  bytes.resize(*read);
  auto decoded =
      TimeIndex::decode(bytes, config.index_interval_bytes, next_offset_.value - base_offset_.value);
  if (decoded) {
    time_index_ = std::move(*decoded);
    return fold_time_index_after_last_entry();
  }
  time_index_ = TimeIndex(config.index_interval_bytes);
  if (Status s = fold_time_index_from(0); !s) return s;
  return rewrite_time_index_file();
}

Result<int64_t> Segment::position_of(const TimeIndexEntry& entry) const {
  if (entry.timestamp_ms < 0) return int64_t{0};  // no entry: the segment start
  auto batch = find_batch(Offset{base_offset_.value + entry.relative_offset});
  if (!batch) return std::move(batch).error();
  return batch->position;
}

Status Segment::fold_time_index_after_last_entry() {
  auto position = position_of(time_index_.last());
  if (!position) return std::move(position).error();
  return fold_time_index_from(*position);
}

Status Segment::rewrite_time_index_file() {
  time_index_.mark_written();
  File& file = files_->time_index();
  if (Status s = file.truncate(0); !s) return s;
  return file.append(time_index_.encode_all());
}

Result<std::optional<BatchLocation>> Segment::find_batch_by_timestamp(int64_t timestamp_ms) const {
  if (max_timestamp_ms() < timestamp_ms) return std::optional<BatchLocation>();
  auto start = position_of(time_index_.lookup_before(timestamp_ms));
  if (!start) return std::move(start).error();
  for (int64_t position = *start; position < size_bytes_;) {
    auto header = read_header(position);
    if (!header) return std::move(header).error();
    if (header->max_timestamp_ms >= timestamp_ms)
      return std::optional<BatchLocation>(BatchLocation{position, *header});
    position += header->size_bytes();
  }
  return std::optional<BatchLocation>();
}

void Segment::restore(int64_t size_bytes, Offset next_offset, OffsetIndex index) {
  assert(size_bytes >= 0 && size_bytes <= log_file_bytes() && next_offset >= base_offset_);
  forget_recent();
  size_bytes_ = size_bytes;
  next_offset_ = next_offset;
  index_ = std::move(index);
}

Status Segment::restore_and_rewrite_index(int64_t size_bytes, Offset next_offset, OffsetIndex index) {
  restore(size_bytes, next_offset, std::move(index));
  index_.mark_written();
  File& file = files_->index();
  if (Status s = file.truncate(0); !s) return s;
  return file.append(index_.encode_all());
}

Status Segment::truncate_log(int64_t size_bytes) {
  assert(size_bytes >= 0 && size_bytes <= log_file_bytes());
  files_->note_cut(size_bytes);
  return files_->log().truncate(size_bytes);
}

}  // namespace millrace::storage
