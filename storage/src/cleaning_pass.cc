#include "cleaning_pass.h"

#include <algorithm>
#include <string>
#include <system_error>
#include <thread>

#include "compaction_swap.h"
#include "io_error.h"
#include "millrace/protocol/byte_order.h"
#include "millrace/protocol/record_batch_format.h"
#include "millrace/storage/errc.h"
#include "millrace/storage/posix_file.h"
#include "offset_index.h"
#include "segment_batch_reader.h"
#include "segment_compactor.h"
#include "segment_names.h"
#include "time_index.h"

namespace millrace::storage {

namespace bf = protocol::batch_format;
using protocol::load_be;

namespace {

constexpr int64_t kReadChunkBytes = 1 << 20;
constexpr size_t kWriteChunkBytes = 1 << 20;

// The cleaned copy of one segment being written: its .log through a buffer, its indexes in memory.
class CleanedSegmentWriter {
 public:
  CleanedSegmentWriter(const std::filesystem::path& directory, Offset base, const LogConfig& config)
      : directory_(directory),
        base_(base),
        index_(config.index_interval_bytes),
        time_index_(config.index_interval_bytes) {}

  Status open() {
    auto log = PosixFile::open(CompactionSwap::cleaned_path(segment_log_path(directory_, base_)),
                               OpenMode::create_new);
    if (!log) return std::move(log).error();
    log_ = std::move(*log);
    return {};
  }

  // Writes the whole batches in `bytes` (and indexes them), then clears it.
  Status write(Buffer& bytes) {
    for (size_t at = 0; at < bytes.size();) {
      const char* batch = bytes.data() + at;
      const int64_t relative = load_be<int64_t>(batch + bf::kBaseOffset) - base_.value;
      const int64_t position = log_->size() + static_cast<int64_t>(at);
      index_.on_batch(relative, position);
      time_index_.on_batch(relative, position, load_be<int64_t>(batch + bf::kMaxTimestamp));
      at += static_cast<size_t>(load_be<int32_t>(batch + bf::kBatchLength)) + bf::kLogOverhead;
    }
    Status s = log_->append(bytes);
    bytes.clear();
    return s;
  }

  int64_t size() const { return log_->size(); }

  // Writes the indexes and fsyncs all three files.
  Status complete() {
    if (Status s = write_file(segment_index_path(directory_, base_), index_.encode_all()); !s) return s;
    if (Status s = write_file(segment_time_index_path(directory_, base_), time_index_.encode_all()); !s) {
      return s;
    }
    if (Status s = log_->sync(); !s) return s;
    return log_->close();
  }

  // Removes whatever was written (the segment did not change, or the pass failed).
  void remove() {
    log_.reset();
    for (const auto& path : CompactionSwap::segment_paths(directory_, base_)) {
      std::error_code ec;
      std::filesystem::remove(CompactionSwap::cleaned_path(path), ec);
    }
  }

 private:
  static Status write_file(const std::filesystem::path& final_path, const Buffer& bytes) {
    auto file = PosixFile::open(CompactionSwap::cleaned_path(final_path), OpenMode::create_new);
    if (!file) return std::move(file).error();
    if (Status s = (*file)->append(bytes); !s) return s;
    if (Status s = (*file)->sync(); !s) return s;
    return (*file)->close();
  }

  const std::filesystem::path& directory_;
  const Offset base_;
  OffsetIndex index_;
  TimeIndex time_index_;
  std::unique_ptr<PosixFile> log_;
};

}  // namespace

CleaningJob::CleaningJob(std::shared_ptr<CleaningPass> pass) : pass_(std::move(pass)) {}

Status CleaningJob::run(const std::atomic<bool>* cancel) {
  return pass_->run(cancel);
}

const CleaningStats& CleaningJob::stats() const {
  return pass_->stats();
}

CleaningPass::CleaningPass(std::filesystem::path directory, const LogConfig& config,
                           const CleaningOptions& options, std::vector<CleaningInput> inputs,
                           Offset dirty_start, uint64_t truncations)
    : directory_(std::move(directory)),
      config_(config),
      options_(options),
      inputs_(std::move(inputs)),
      dirty_start_(dirty_start),
      truncations_(truncations) {
  stats_.mapped_up_to = dirty_start;
}

Status CleaningPass::run(const std::atomic<bool>* cancel) {
  cancel_ = cancel;
  started_ = std::chrono::steady_clock::now();
  Status result = [&]() -> Status {
    if (Status s = CompactionSwap::prepare_directory(directory_); !s) return s;
    KeyOffsetMap map(options_.key_map_bytes);
    if (Status s = build_map(map); !s) return s;
    for (const CleaningInput& input : inputs_) {
      if (input.base_offset >= stats_.mapped_up_to) break;
      if (Status s = clean_segment(input, map); !s) return s;
    }
    if (!rewritten_.empty()) return PosixFile::sync_directory(directory_);
    return {};
  }();
  if (!result) {
    CompactionSwap::discard(directory_, rewritten_);
    rewritten_.clear();
    failure_ = result.error();
    return result;
  }
  succeeded_ = true;
  return {};
}

Status CleaningPass::throttle_and_check(int64_t bytes) {
  stats_.bytes_read += bytes;
  while (true) {
    if (cancel_ != nullptr && cancel_->load()) {
      return make_error(errc::log_closed, directory_.string() + ": cleaning cancelled");
    }
    if (options_.io_bytes_per_second <= 0) return {};
    const auto due =
        started_ + std::chrono::milliseconds(stats_.bytes_read * 1000 / options_.io_bytes_per_second);
    const auto now = std::chrono::steady_clock::now();
    if (now >= due) return {};
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(due - now, std::chrono::milliseconds(20)));
  }
}

Status CleaningPass::for_each_batch(const CleaningInput& input,
                                    const std::function<Result<bool>(const ReadBatch&)>& on_batch) {
  SegmentBatchReader reader(input.files->log(), input.size_bytes, kReadChunkBytes, config_.max_batch_bytes);
  int64_t counted = 0;
  while (true) {
    auto batch = reader.next();
    if (!batch) return std::move(batch).error();
    if (Status s = throttle_and_check(reader.bytes_read() - counted); !s) return s;
    counted = reader.bytes_read();
    if (!*batch) return {};
    auto go_on = on_batch(**batch);
    if (!go_on) return std::move(go_on).error();
    if (!*go_on) return {};
  }
}

Status CleaningPass::build_map(KeyOffsetMap& map) {
  std::vector<RecordView> records;
  bool full = false;
  for (const CleaningInput& input : inputs_) {
    if (full) break;
    if (input.next_offset <= dirty_start_) continue;
    Status read = for_each_batch(input, [&](const ReadBatch& batch) -> Result<bool> {
      const protocol::RecordBatchHeader& h = batch.header;
      if (h.next_offset() <= dirty_start_.value) return true;
      if (SegmentCompactor::is_filterable(h)) {
        if (!map.has_room_for(static_cast<size_t>(h.record_count))) {
          if (stats_.mapped_up_to == dirty_start_) {
            return make_error(errc::invalid_argument, "cleaner key map (" + std::to_string(map.capacity()) +
                                                          " keys) cannot hold one batch of " +
                                                          std::to_string(h.record_count));
          }
          full = true;  // this pass covers what is mapped
          return false;
        }
        if (!parse_records(batch.bytes, h, records)) {
          return make_error(errc::corrupt_data, input.files->log().path().string() +
                                                    ": unparseable records in batch at offset " +
                                                    std::to_string(h.base_offset));
        }
        for (const RecordView& r : records) {
          if (r.key && r.offset >= dirty_start_.value) map.put(*r.key, r.offset);
        }
      }
      stats_.mapped_up_to = Offset{h.next_offset()};
      return true;
    });
    if (!read) return read;
  }
  return {};
}

Status CleaningPass::clean_segment(const CleaningInput& input, const KeyOffsetMap& map) {
  const int64_t mapped_up_to = stats_.mapped_up_to.value;
  const int64_t tombstone_deadline_ms = options_.now_ms - options_.delete_retention_ms;
  SegmentCompactor compactor([&](const RecordView& r) {
    if (!r.key || r.offset >= mapped_up_to) return true;
    if (auto latest = map.get(*r.key); latest && r.offset < *latest) return false;
    if (!r.null_value) return true;
    if (!tombstone_removal_allowed_) return true;
    if (r.timestamp_ms < tombstone_deadline_ms) return false;
    if (oldest_tombstone_ms_ < 0 || r.timestamp_ms < oldest_tombstone_ms_)
      oldest_tombstone_ms_ = r.timestamp_ms;
    return true;
  });
  CleanedSegmentWriter writer(directory_, input.base_offset, config_);
  if (Status s = writer.open(); !s) return s;
  Status result = [&]() -> Status {
    Status read = for_each_batch(input, [&](const ReadBatch& batch) -> Result<bool> {
      const protocol::RecordBatchHeader& h = batch.header;
      if (!h.is_control() && !SegmentCompactor::is_filterable(h)) tombstone_removal_allowed_ = false;
      if (!compactor.add(batch.bytes, h)) {
        return make_error(errc::corrupt_data, input.files->log().path().string() +
                                                  ": unparseable records in batch at offset " +
                                                  std::to_string(h.base_offset));
      }
      if (compactor.output().size() >= kWriteChunkBytes) {
        if (Status s = writer.write(compactor.output()); !s) return std::move(s).error();
      }
      return true;
    });
    if (!read) return read;
    compactor.finish();
    return writer.write(compactor.output());
  }();
  if (result && !compactor.changed()) {
    writer.remove();
    return {};
  }
  if (result) result = writer.complete();
  if (!result) {
    writer.remove();
    return result;
  }
  rewritten_.push_back(input.base_offset);
  ++stats_.segments_rewritten;
  stats_.bytes_before += input.size_bytes;
  stats_.bytes_after += writer.size();
  stats_.records_removed += compactor.records_removed();
  stats_.tombstones_removed += compactor.tombstones_removed();
  return {};
}

}  // namespace millrace::storage
