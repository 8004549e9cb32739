#include "segment_compactor.h"

#include "millrace/protocol/record_batch_format.h"
#include "millrace/storage/disk_format.h"

namespace millrace::storage {

namespace bf = protocol::batch_format;

bool SegmentCompactor::is_filterable(const protocol::RecordBatchHeader& h) {
  return !h.is_control() && h.compression() == bf::Compression::none &&
         (h.attributes & bf::kTransactionalBit) == 0;
}

bool SegmentCompactor::add(ByteView batch, const protocol::RecordBatchHeader& h) {
  if (!is_filterable(h)) {
    emit_pending();
    output_.insert(output_.end(), batch.begin(), batch.end());
    return true;
  }
  if (!parse_records(batch, h, records_)) return false;
  kept_.clear();
  for (const RecordView& r : records_) {
    if (keep_(r)) {
      kept_.push_back(r.bytes);
      continue;
    }
    ++records_removed_;
    if (r.null_value) ++tombstones_removed_;
  }
  if (kept_.empty()) {
    add_empty(empty_span_of(h), records_.empty());
    return true;
  }
  emit_pending();
  if (kept_.size() == records_.size()) {
    output_.insert(output_.end(), batch.begin(), batch.end());
  } else {
    append_rewritten_batch(batch, kept_, output_);
    changed_ = true;
  }
  return true;
}

void SegmentCompactor::add_empty(const EmptyBatchSpan& span, bool was_empty) {
  if (!was_empty) changed_ = true;
  if (pending_ && pending_->producer_id == bf::kNoProducerId && span.producer_id == bf::kNoProducerId &&
      pending_->partition_leader_epoch == span.partition_leader_epoch &&
      pending_->attributes == span.attributes && pending_->next_offset == span.base_offset &&
      span.next_offset - pending_->base_offset - 1 <= disk_format::kMaxRelativeOffset) {
    pending_->next_offset = span.next_offset;
    pending_->max_timestamp_ms = std::max(pending_->max_timestamp_ms, span.max_timestamp_ms);
    changed_ = true;  // two batches became one
    return;
  }
  emit_pending();
  pending_ = span;
}

void SegmentCompactor::emit_pending() {
  if (!pending_) return;
  append_empty_batch(*pending_, output_);
  pending_.reset();
}

void SegmentCompactor::finish() {
  emit_pending();
}

}  // namespace millrace::storage
