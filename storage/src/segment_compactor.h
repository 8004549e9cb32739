#pragma once
// SegmentCompactor: the pure core of cleaning one segment. Fed the segment's batches in order, it appends the
// cleaned batches to output():
//   - control batches (Raft no-ops, configurations), compressed and transactional batches: kept whole, byte
//     for byte (records inside compressed batches cannot be filtered without re-encoding them);
//   - other batches: each record stays if keep(record) says so; a batch that keeps some records is rewritten
//     with only those (batch_rewriter.h); a batch that keeps none becomes a zero-record batch covering the
//     same offsets, so offsets stay dense;
//   - consecutive zero-record batches with the same partition leader epoch and attributes and no producer id
//     are coalesced into one spanning their offsets (an idempotent producer's batches keep their own, so its
//     last sequence number stays readable).
// No I/O. Not thread-safe.
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "batch_rewriter.h"
#include "millrace/protocol/bytes.h"
#include "millrace/protocol/record_batch.h"
#include "record_view.h"

namespace millrace::storage {

class SegmentCompactor {
 public:
  using KeepRecord = std::function<bool(const RecordView&)>;

  explicit SegmentCompactor(KeepRecord keep) : keep_(std::move(keep)) {}

  // Whether the cleaner can look inside a batch's records (not control, compressed or transactional).
  static bool is_filterable(const protocol::RecordBatchHeader& header);

  // Cleans one whole batch (`header` is its header). False if its records do not parse.
  bool add(ByteView batch, const protocol::RecordBatchHeader& header);
  // Emits a pending zero-record batch. Call after the segment's last batch.
  void finish();

  // Cleaned bytes so far; the caller may write them out and clear the buffer at any time.
  Buffer& output() { return output_; }
  // Whether the output differs from the input (some record removed or empty batches coalesced).
  bool changed() const { return changed_; }
  int64_t records_removed() const { return records_removed_; }
  int64_t tombstones_removed() const { return tombstones_removed_; }

 private:
  // `was_empty`: the batch had no records before this pass either (so emitting it alone changes nothing).
  void add_empty(const EmptyBatchSpan& span, bool was_empty);
  void emit_pending();

  KeepRecord keep_;
  Buffer output_;
  std::vector<RecordView> records_;
  std::vector<ByteView> kept_;
  std::optional<EmptyBatchSpan> pending_;  // a zero-record batch that the next one may extend
  bool changed_ = false;
  int64_t records_removed_ = 0;
  int64_t tombstones_removed_ = 0;
};

}  // namespace millrace::storage
