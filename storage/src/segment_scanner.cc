#include "segment_scanner.h"

#include <algorithm>
#include <cstring>

#include "millrace/protocol/byte_order.h"
#include "millrace/protocol/record_batch.h"
#include "millrace/protocol/record_batch_format.h"
#include "millrace/storage/disk_format.h"
#include "segment.h"

namespace millrace::storage {

namespace bf = protocol::batch_format;
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

Result<std::optional<int64_t>> SegmentScanner::find_valid_batch(const Segment& segment,
                                                                const LogConfig& config, int64_t from,
                                                                int64_t min_base_offset) {
  const File& file = segment.files()->log();
  const int64_t file_bytes = std::min(file.size(), df::kMaxSegmentFileBytes);
  const auto header_bytes = static_cast<int64_t>(bf::kHeaderSize);
  Buffer buffer(static_cast<size_t>(std::max(kReadChunkBytes, config.max_batch_bytes)));
  int64_t buffer_position = from;  // file position of buffer[0]
  int64_t buffered_end = from;     // file position after the last buffered byte
  const auto refill = [&](int64_t position) -> Status {
    const auto want =
        static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(buffer.size()), file_bytes - position));
    auto read = file.read_at(position, MutableByteView(buffer.data(), want));
    if (!read) return std::move(read).error();
    buffer_position = position;
    buffered_end = position + static_cast<int64_t>(*read);
    return {};
  };
  // Every position is a candidate; the magic byte and the length bounds rule out almost all of them before
  // the CRC is computed.
  for (int64_t position = std::max<int64_t>(from, 0); position + header_bytes <= file_bytes; ++position) {
    if (position + header_bytes > buffered_end) {
      if (Status s = refill(position); !s) return std::move(s).error();
      if (position + header_bytes > buffered_end) break;  // the file is shorter than it said
    }
    const char* bytes = buffer.data() + (position - buffer_position);
    if (static_cast<int8_t>(bytes[bf::kMagic]) != bf::kMagicV2) continue;
    const int64_t size =
        int64_t{protocol::load_be<int32_t>(bytes + bf::kBatchLength)} + int64_t{bf::kLogOverhead};
    if (size < header_bytes || size > config.max_batch_bytes || position + size > file_bytes) continue;
    if (position + size > buffered_end) {
      if (Status s = refill(position); !s) return std::move(s).error();
      if (position + size > buffered_end) break;
      bytes = buffer.data();
    }
    const protocol::ScanResult result =
        protocol::scan_batch(ByteView(bytes, static_cast<size_t>(size)), config.max_batch_bytes);
    if (result.status == ScanStatus::complete && result.header.base_offset >= min_base_offset &&
        result.header.last_offset_delta >= 0) {
      return std::optional<int64_t>(position);
    }
  }
  return std::optional<int64_t>();
}

}  // namespace millrace::storage
