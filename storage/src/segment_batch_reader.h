#pragma once
// SegmentBatchReader: reads the whole batches of a closed segment's .log in order, in large chunks, checking
// each with protocol::scan_batch (length, magic, CRC-32C), so that the cleaner never copies a corrupt batch
// under a fresh CRC. Reads only below `size_bytes` (the segment's size when the pass was prepared) with
// pread, which is safe on the cleaner thread while the owner appends to other segments.
#include <cstdint>
#include <optional>

#include "millrace/protocol/bytes.h"
#include "millrace/protocol/record_batch.h"
#include "millrace/protocol/result.h"
#include "millrace/storage/file.h"

namespace millrace::storage {

struct ReadBatch {
  ByteView bytes;  // valid until the next call to next()
  protocol::RecordBatchHeader header;
};

class SegmentBatchReader {
 public:
  SegmentBatchReader(const File& file, int64_t size_bytes, int64_t chunk_bytes, int64_t max_batch_bytes);

  // The next batch; nullopt after the last. corrupt_data for a bad batch or a file shorter than size_bytes.
  Result<std::optional<ReadBatch>> next();
  // Bytes read from the file so far.
  int64_t bytes_read() const { return file_position_; }

 private:
  Status fill();  // reads the next chunk after what is buffered

  const File& file_;
  const int64_t size_bytes_;
  const int64_t chunk_bytes_;
  const int64_t max_batch_bytes_;
  Buffer buffer_;
  size_t buffer_start_ = 0;    // first unconsumed byte of buffer_
  int64_t file_position_ = 0;  // file position of buffer_.end()
};

}  // namespace millrace::storage
