#pragma once
// Producer snapshot files: the idempotent-producer state of one partition as of an offset, so that opening
// the partition replays the log only from there (docs/storage.md, "Producer snapshots"). Integers big-endian.
//
//   offset size  field
//   0      4     magic         kSnapshotMagic
//   4      2     version       kSnapshotVersion
//   6      4     body_length   bytes of the body
//   10     4     body_crc      CRC-32C of the body
//   14     B     body          protobuf wire::ProducerStateSnapshot
//
// Named <next offset, 20 digits zero-padded><kSnapshotSuffix> in the partition directory; written to a name
// ending in storage's temporary suffix, fsynced, renamed, and the directory fsynced. Storage ignores these
// files and removes stale temporary ones when it opens the partition.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace millrace::broker::producer_snapshot_format {

constexpr uint32_t kSnapshotMagic = 0x4D525053;  // "MRPS"
constexpr int16_t kSnapshotVersion = 1;
constexpr size_t kMagicAt = 0;
constexpr size_t kVersionAt = 4;
constexpr size_t kBodyLengthAt = 6;
constexpr size_t kBodyCrcAt = 10;
constexpr size_t kHeaderBytes = 14;

constexpr std::string_view kSnapshotSuffix = ".producer-snapshot";
constexpr size_t kNameDigits = 20;
// Snapshots kept per partition; older ones are removed after a newer one is written.
constexpr size_t kSnapshotsRetained = 2;
// Largest snapshot file read back (a bigger one is treated as corrupt).
constexpr size_t kMaxSnapshotBytes = 256u * 1024 * 1024;

}  // namespace millrace::broker::producer_snapshot_format
