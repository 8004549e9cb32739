#pragma once
// On-disk format of a partition directory: file names, index entry layout, marker and recovery-point files.
// The one source of truth for these; docs/storage.md describes them byte by byte. Record batches inside the
// .log files are Kafka RecordBatch v2 (see millrace/protocol/record_batch_format.h). Integers are big-endian.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

namespace millrace::storage::disk_format {

// Segment files are named <base offset><suffix>, the base offset in decimal, zero-padded to this width.
constexpr size_t kSegmentNameDigits = 20;
constexpr std::string_view kLogSuffix = ".log";
constexpr std::string_view kIndexSuffix = ".index";
constexpr std::string_view kTimeIndexSuffix = ".timeindex";

// Offset index entry (.index): the batch that starts at file position `position` has base offset
// segment base + `relative_offset`. Entries are strictly increasing in both fields.
constexpr size_t kIndexRelativeOffsetAt = 0;  // uint32
constexpr size_t kIndexPositionAt = 4;        // uint32
constexpr size_t kIndexEntryBytes = 8;

// Time index entry (.timeindex), Kafka's layout: no record before the batch at segment base +
// `relative_offset` has a timestamp above `timestamp`, which is the largest seen up to and including that
// batch. Entries are strictly increasing in both fields; one is added with an offset index entry when the
// largest timestamp has grown since the last one.
constexpr size_t kTimeIndexTimestampAt = 0;       // int64, ms since the epoch
constexpr size_t kTimeIndexRelativeOffsetAt = 8;  // uint32
constexpr size_t kTimeIndexEntryBytes = 12;

// A segment never holds an offset more than this past its base, nor grows past this many bytes, so that both
// fit an index entry. segment_bytes and the size of one append are bounded by kMaxSegmentFileBytes.
constexpr int64_t kMaxRelativeOffset = std::numeric_limits<int32_t>::max();
constexpr int64_t kMaxSegmentFileBytes = std::numeric_limits<int32_t>::max();

// Empty file written by a clean close(); its presence lets open() skip batch validation.
constexpr std::string_view kCleanShutdownMarkerName = ".clean-shutdown";

// Recovery point: every offset below it was fsynced. Replaced atomically by writing kTemporarySuffix first.
constexpr std::string_view kRecoveryPointName = "recovery-point";
constexpr std::string_view kTemporarySuffix = ".tmp";
constexpr uint32_t kRecoveryPointMagic = 0x4D525250;  // "MRRP"
constexpr int16_t kRecoveryPointVersion = 1;
constexpr size_t kRecoveryPointMagicAt = 0;    // uint32
constexpr size_t kRecoveryPointVersionAt = 4;  // int16
constexpr size_t kRecoveryPointOffsetAt = 6;   // int64
constexpr size_t kRecoveryPointCrcAt = 14;     // uint32: CRC-32C of bytes [0, kRecoveryPointCrcAt)
constexpr size_t kRecoveryPointBytes = 18;

// ---- Log compaction (docs/storage.md, "Compaction") ----
// A cleaning pass writes each cleaned segment's files under their final name plus this suffix
// (`<base>.log.cleaned`, `.index.cleaned`, `.timeindex.cleaned`). Without the commit marker they are an
// unfinished pass: open() deletes them.
constexpr std::string_view kCleanedSuffix = ".cleaned";
// Empty file: the pass's .cleaned files are complete and replace their segments. open() finishes the
// renames, then removes the marker. Removed (durably) before a new pass writes any .cleaned file.
constexpr std::string_view kCleanerCommitName = "cleaner-commit";
// Cleaner checkpoint: offsets below it were mapped by a completed pass; the oldest tombstone left below it.
constexpr std::string_view kCleanerCheckpointName = "cleaner-checkpoint";
constexpr uint32_t kCleanerCheckpointMagic = 0x4D52434B;  // "MRCK"
constexpr int16_t kCleanerCheckpointVersion = 1;
constexpr size_t kCleanerCheckpointMagicAt = 0;       // uint32
constexpr size_t kCleanerCheckpointVersionAt = 4;     // int16
constexpr size_t kCleanerCheckpointOffsetAt = 6;      // int64: clean up to (exclusive)
constexpr size_t kCleanerCheckpointTombstoneAt = 14;  // int64: oldest tombstone left, ms; -1 none
constexpr size_t kCleanerCheckpointCrcAt = 22;        // uint32: CRC-32C of bytes [0, kCleanerCheckpointCrcAt)
constexpr size_t kCleanerCheckpointBytes = 26;

}  // namespace millrace::storage::disk_format
