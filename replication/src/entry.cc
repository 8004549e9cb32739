#include "millrace/replication/entry.h"

#include "millrace/protocol/record_batch.h"
#include "millrace/replication/control_batch.h"
#include "millrace/replication/errc.h"

namespace millrace::replication {

namespace bf = protocol::batch_format;

Result<Entry> Entry::from_batch(Buffer batch) {
  if (batch.size() < bf::kHeaderSize) return make_error(errc::invalid_batch, "shorter than a batch header");
  const protocol::RecordBatchHeader header = protocol::read_batch_header(batch);
  if (header.magic != bf::kMagicV2 || header.size_bytes() != static_cast<int64_t>(batch.size()) ||
      header.last_offset_delta < 0 || header.partition_leader_epoch < 0) {
    return make_error(errc::invalid_batch, "not exactly one batch with a valid header");
  }
  Entry entry;
  entry.base_offset = Offset{header.base_offset};
  entry.last_offset = Offset{header.last_offset()};
  entry.term = Term{header.partition_leader_epoch};
  if (header.is_control()) {
    const std::optional<int16_t> type = control_type(batch);
    if (type == kControlTypeTermStart) entry.kind = EntryKind::term_start;
    if (type == kControlTypeConfiguration) entry.kind = EntryKind::configuration;
  }
  entry.batch = std::move(batch);
  return entry;
}

}  // namespace millrace::replication
