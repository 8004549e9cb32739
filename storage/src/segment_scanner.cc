#include "segment_scanner.h"

#include <algorithm>
#include <cstring>

#include "millrace/protocol/record_batch.h"
#include "millrace/storage/disk_format.h"
#include "segment.h"

namespace millrace::storage {

namespace df = disk_format;
using protocol::ScanStatus;

namespace {

// The batch at the front of `bytes`, judged complete, need_more or corrupt; also rejects batches that do not
// continue the segment's offsets.
protocol::ScanResult check_batch(ByteView bytes, const LogConfig& config, int64_t expected_base,
                                 int64_t segment_base) {
  protocol::ScanResult result = protocol::scan_batch(bytes, config.max_batch_bytes);
  if (result.status != ScanStatus::complete) return result;
  const protocol::RecordBatchHeader& h = result.header;
  if (h.base_offset != expected_base) {
    return {ScanStatus::corrupt, h, "base offset does not continue the log"};
  }
  if (h.last_offset_delta < 0) return {ScanStatus::corrupt, h, "negative last offset delta"};
  if (h.last_offset() - segment_base > df::kMaxRelativeOffset) {
    return {ScanStatus::corrupt, h, "offset too far past the segment base"};
  }
  return result;
}

}  // namespace

Result<SegmentScan> SegmentScanner::scan(const Segment& segment, const LogConfig& config) {
  const File& file = segment.files()->log();
  const int64_t file_bytes = std::min(file.size(), df::kMaxSegmentFileBytes);
  Buffer buffer(static_cast<size_t>(std::max(kReadChunkBytes, config.max_batch_bytes)));
  SegmentScan scan{0, segment.base_offset(), OffsetIndex(config.index_interval_bytes), ""};

  int64_t buffer_position = 0;  // file position of buffer[0]
  size_t buffered = 0;          // bytes in buffer
  size_t cursor = 0;            // next batch starts at buffer[cursor]
  while (true) {
    const ByteView rest(buffer.data() + cursor, buffered - cursor);
    const protocol::ScanResult result =
        check_batch(rest, config, scan.next_offset.value, segment.base_offset().value);
    if (result.status == ScanStatus::complete) {
      const int64_t position = buffer_position + static_cast<int64_t>(cursor);
      scan.index.on_batch(result.header.base_offset - segment.base_offset().value, position);
      cursor += static_cast<size_t>(result.header.size_bytes());
      scan.valid_bytes = position + result.header.size_bytes();
      scan.next_offset = Offset{result.header.next_offset()};
      continue;
    }
    if (result.status == ScanStatus::corrupt) {
      scan.problem = result.reason;
      break;
    }
    const int64_t buffered_end = buffer_position + static_cast<int64_t>(buffered);
    if (buffered_end >= file_bytes) {  // need_more at the end of the file: clean end or torn tail
      if (cursor != buffered) scan.problem = "batch cut short by the end of the file";
      break;
    }
    // Refill: keep the partial batch, read after it.
    std::memmove(buffer.data(), buffer.data() + cursor, buffered - cursor);
    buffer_position += static_cast<int64_t>(cursor);
    buffered -= cursor;
    cursor = 0;
    const size_t want = std::min(buffer.size() - buffered, static_cast<size_t>(file_bytes - buffered_end));
    auto read = file.read_at(buffered_end, MutableByteView(buffer.data() + buffered, want));
    if (!read) return std::move(read).error();
    if (*read == 0) {
      scan.problem = "file shorter than its reported size";
      break;
    }
    buffered += *read;
  }
  if (scan.problem.empty() && scan.valid_bytes != file.size()) {
    scan.problem = "file longer than a segment can be";
  }
  return scan;
}

}  // namespace millrace::storage
