#pragma once
// Kafka RecordBatch v2 (magic 2): byte offsets of the batch header fields. The one source of truth for the
// layout; docs/record-format.md describes it byte by byte. All integers are big-endian.
#include <cstddef>
#include <cstdint>

namespace millrace::protocol::batch_format {

constexpr size_t kBaseOffset = 0;             // int64
constexpr size_t kBatchLength = 8;            // int32: bytes after this field
constexpr size_t kPartitionLeaderEpoch = 12;  // int32 (the Raft term once replication lands)
constexpr size_t kMagic = 16;                 // int8, always 2
constexpr size_t kCrc = 17;                   // uint32 CRC-32C of bytes [kAttributes, end)
constexpr size_t kAttributes = 21;            // int16
constexpr size_t kLastOffsetDelta = 23;       // int32
constexpr size_t kBaseTimestamp = 27;         // int64 ms
constexpr size_t kMaxTimestamp = 35;          // int64 ms
constexpr size_t kProducerId = 43;            // int64
constexpr size_t kProducerEpoch = 51;         // int16
constexpr size_t kBaseSequence = 53;          // int32
constexpr size_t kRecordCount = 57;           // int32
constexpr size_t kHeaderSize = 61;            // records start here

// Bytes that precede and include the batch-length field: base offset + length.
constexpr size_t kLogOverhead = 12;

constexpr int8_t kMagicV2 = 2;

// Attribute bits.
constexpr int16_t kCompressionMask = 0x07;   // 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd
constexpr int16_t kTimestampTypeBit = 0x08;  // 0 create time, 1 log-append time
constexpr int16_t kTransactionalBit = 0x10;
constexpr int16_t kControlBit = 0x20;

constexpr int64_t kNoProducerId = -1;
constexpr int16_t kNoProducerEpoch = -1;
constexpr int32_t kNoSequence = -1;
constexpr int32_t kNoPartitionLeaderEpoch = -1;

enum class Compression : int16_t { none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4 };

}  // namespace millrace::protocol::batch_format
