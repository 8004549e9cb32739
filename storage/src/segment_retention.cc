// PartitionLog::Impl: the paths that use time — segment.ms rolling, retention, lookup by timestamp.
#include <sys/stat.h>

#include <string>

#include <spdlog/spdlog.h>
#include "io_error.h"
#include "millrace/protocol/record_batch_decoder.h"
#include "millrace/storage/errc.h"
#include "partition_log_impl.h"
#include "segment.h"

namespace millrace::storage {

Error closed_error(const LogDirectory& directory) {
  return make_error(errc::log_closed, directory.path().string());
}

namespace {

// When the segment's .log was last written, in ms since the epoch: the age of a segment whose batches carry
// no timestamps (-1), which Kafka clients never send but other writers might.
Result<int64_t> last_written_ms(const Segment& segment) {
  struct stat st {};
  if (::stat(segment.log_path().c_str(), &st) != 0) {
    return make_io_error(errno, "stat", segment.log_path());
  }
  return int64_t{st.st_mtim.tv_sec} * 1000 + st.st_mtim.tv_nsec / 1'000'000;
}

}  // namespace

Status PartitionLog::Impl::set_config(const LogConfig& config) {
  if (Status s = validate(config); !s) return s;
  config_ = config;
  return {};
}

Status PartitionLog::Impl::roll_if_older(int64_t now_ms, int64_t segment_ms) {
  if (closed_) return closed_error(directory_);
  if (active().empty()) {
    active_holds_data_since_ms_.reset();
    return {};
  }
  if (!active_holds_data_since_ms_) active_holds_data_since_ms_ = now_ms;
  if (now_ms - *active_holds_data_since_ms_ < segment_ms) return {};
  return roll();
}

Result<RetentionResult> PartitionLog::Impl::apply_retention(int64_t now_ms, int64_t retention_ms,
                                                            int64_t retention_bytes, Offset delete_below) {
  if (closed_) return closed_error(directory_);
  RetentionResult result;
  int64_t total = size_bytes();
  while (segments_.size() > 1) {
    const Segment& oldest = *segments_.front();
    if (segments_[1]->base_offset() > delete_below) break;  // it holds offsets at or above the bound
    bool expired = false;
    if (retention_ms >= 0) {
      int64_t newest_ms = oldest.max_timestamp_ms();
      if (newest_ms < 0) {
        auto written = last_written_ms(oldest);
        if (!written) return std::move(written).error();
        newest_ms = *written;
      }
      expired = newest_ms < now_ms - retention_ms;
    }
    const bool over_size = retention_bytes >= 0 && total - oldest.size_bytes() >= retention_bytes;
    if (!expired && !over_size) break;
    if (Status s = segments_.front()->remove_files(); !s) return std::move(s).error();
    spdlog::info("{}: retention deleted segment {} ({} bytes, {})", directory_.path().string(),
                 oldest.base_offset().value, oldest.size_bytes(),
                 expired ? "retention.ms" : "retention.bytes");
    total -= oldest.size_bytes();
    result.bytes_deleted += oldest.size_bytes();
    ++result.segments_deleted;
    segments_.erase(segments_.begin());
  }
  return result;
}

Result<std::optional<Offset>> PartitionLog::Impl::offset_for_timestamp(int64_t timestamp_ms) const {
  if (closed_) return closed_error(directory_);
  for (const auto& segment : segments_) {
    auto location = segment->find_batch_by_timestamp(timestamp_ms);
    if (!location) return std::move(location).error();
    if (!*location) continue;
    const BatchLocation& batch = **location;
    Buffer bytes(static_cast<size_t>(batch.header.size_bytes()));
    if (Status s = segment->read_exact(batch.position, bytes); !s) return std::move(s).error();
    std::vector<protocol::Record> records;
    // A batch that cannot be decoded here (compressed, control) answers with its first offset: every
    // earlier batch is older.
    if (protocol::decode_records(bytes, 0, records).ok()) {
      for (const auto& r : records) {
        if (r.timestamp_ms >= timestamp_ms) return std::optional<Offset>(Offset{r.offset});
      }
    }
    return std::optional<Offset>(Offset{batch.header.base_offset});
  }
  return std::optional<Offset>();
}

}  // namespace millrace::storage
