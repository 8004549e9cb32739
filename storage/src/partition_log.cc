#include "millrace/storage/partition_log.h"

#include "log_directory.h"
#include "log_loader.h"
#include "partition_log_impl.h"
#include "segment.h"

namespace millrace::storage {

Result<std::unique_ptr<PartitionLog>> PartitionLog::open(const std::filesystem::path& dir,
                                                         const LogConfig& config,
                                                         std::shared_ptr<FileSystem> file_system) {
  if (Status s = Impl::validate(config); !s) return std::move(s).error();
  if (file_system == nullptr) file_system = posix_file_system();
  LogDirectory directory(dir, std::move(file_system));
  auto loaded = LogLoader::load(directory, config);
  if (!loaded) return std::move(loaded).error();
  auto impl = std::make_unique<Impl>(std::move(directory), config, std::move(loaded).value());
  return std::unique_ptr<PartitionLog>(new PartitionLog(std::move(impl)));
}

PartitionLog::PartitionLog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

PartitionLog::~PartitionLog() = default;

Result<AppendResult> PartitionLog::append(MutableByteView batches) {
  return impl_->append(batches);
}

Result<ReadResult> PartitionLog::read(Offset offset, size_t max_bytes, Offset up_to) const {
  return impl_->read(offset, max_bytes, up_to);
}

Result<RangeReadResult> PartitionLog::read_ranges(Offset offset, size_t max_bytes, Offset up_to) const {
  return impl_->read_ranges(offset, max_bytes, up_to);
}

FlushJob PartitionLog::prepare_flush() {
  return impl_->prepare_flush();
}

void PartitionLog::mark_flushed(Offset up_to) {
  impl_->mark_flushed(up_to);
}

void PartitionLog::mark_flushed(const FlushJob& job) {
  impl_->mark_flushed(job);
}

Status PartitionLog::truncate_to(Offset new_end) {
  return impl_->truncate_to(new_end);
}

Status PartitionLog::truncate_fully(Offset new_start) {
  return impl_->truncate_fully(new_start);
}

Offset PartitionLog::log_start_offset() const {
  return impl_->log_start_offset();
}

Offset PartitionLog::log_end_offset() const {
  return impl_->log_end_offset();
}

Offset PartitionLog::flushed_offset() const {
  return impl_->flushed_offset();
}

int64_t PartitionLog::size_bytes() const {
  return impl_->size_bytes();
}

int32_t PartitionLog::segment_count() const {
  return impl_->segment_count();
}

const std::filesystem::path& PartitionLog::directory() const {
  return impl_->directory();
}

Status PartitionLog::set_config(const LogConfig& config) {
  return impl_->set_config(config);
}

Result<std::optional<Offset>> PartitionLog::offset_for_timestamp(int64_t timestamp_ms) const {
  return impl_->offset_for_timestamp(timestamp_ms);
}

Status PartitionLog::roll_if_older(int64_t now_ms, int64_t segment_ms) {
  return impl_->roll_if_older(now_ms, segment_ms);
}

Result<RetentionResult> PartitionLog::apply_retention(int64_t now_ms, int64_t retention_ms,
                                                      int64_t retention_bytes, Offset delete_below) {
  return impl_->apply_retention(now_ms, retention_ms, retention_bytes, delete_below);
}

std::optional<CleaningJob> PartitionLog::prepare_cleaning(const CleaningOptions& options) {
  return impl_->prepare_cleaning(options);
}

Result<CleaningStats> PartitionLog::finish_cleaning(CleaningJob& job) {
  return impl_->finish_cleaning(job);
}

Status PartitionLog::close() {
  return impl_->close();
}

}  // namespace millrace::storage
