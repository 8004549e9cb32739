#include "segment_batch_reader.h"

#include <algorithm>
#include <string>

#include "millrace/storage/errc.h"

namespace millrace::storage {

SegmentBatchReader::SegmentBatchReader(const File& file, int64_t size_bytes, int64_t chunk_bytes,
                                       int64_t max_batch_bytes)
    : file_(file), size_bytes_(size_bytes), chunk_bytes_(chunk_bytes), max_batch_bytes_(max_batch_bytes) {}

Status SegmentBatchReader::fill() {
  buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(buffer_start_));
  buffer_start_ = 0;
  const int64_t want = std::min(chunk_bytes_, size_bytes_ - file_position_);
  const size_t kept = buffer_.size();
  buffer_.resize(kept + static_cast<size_t>(want));
  auto read = file_.read_at(file_position_, MutableByteView(buffer_).subspan(kept));
  if (!read) return std::move(read).error();
  if (static_cast<int64_t>(*read) != want) {
    return make_error(errc::corrupt_data, file_.path().string() + ": file ends before byte " +
                                              std::to_string(file_position_ + want));
  }
  file_position_ += want;
  return {};
}

Result<std::optional<ReadBatch>> SegmentBatchReader::next() {
  while (true) {
    const ByteView rest = ByteView(buffer_).subspan(buffer_start_);
    const protocol::ScanResult scan = protocol::scan_batch(rest, max_batch_bytes_);
    if (scan.status == protocol::ScanStatus::complete) {
      const auto size = static_cast<size_t>(scan.header.size_bytes());
      buffer_start_ += size;
      return std::optional<ReadBatch>(ReadBatch{rest.first(size), scan.header});
    }
    const int64_t at = file_position_ - static_cast<int64_t>(rest.size());
    if (scan.status == protocol::ScanStatus::corrupt) {
      return make_error(errc::corrupt_data,
                        file_.path().string() + ": " + scan.reason + " at byte " + std::to_string(at));
    }
    if (file_position_ >= size_bytes_) {
      if (rest.empty()) return std::optional<ReadBatch>();
      return make_error(errc::corrupt_data,
                        file_.path().string() + ": batch cut short at byte " + std::to_string(at));
    }
    if (Status s = fill(); !s) return std::move(s).error();
  }
}

}  // namespace millrace::storage
