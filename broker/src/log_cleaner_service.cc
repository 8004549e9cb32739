#include "millrace/broker/log_cleaner_service.h"

#include <pthread.h>

#include <spdlog/spdlog.h>

#include <chrono>

#include <boost/asio/post.hpp>

#include "millrace/broker/partition.h"
#include "millrace/broker/partition_manager.h"

namespace millrace::broker {

namespace {

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

LogCleanerService::LogCleanerService(boost::asio::io_context& owner, PartitionManager& manager,
                                     const BrokerConfig& config)
    : owner_(owner), manager_(manager), config_(config), timer_(owner) {}

LogCleanerService::~LogCleanerService() {
  stop();
}

void LogCleanerService::start() {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "millraced-clean");
    run_thread();
  });
  schedule_check();
}

void LogCleanerService::stop() {
  if (stopped_) return;
  stopped_ = true;
  timer_.cancel();
  cancel_ = true;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LogCleanerService::schedule_check() {
  timer_.expires_after(std::chrono::milliseconds(config_.cleaner_interval_ms));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    check();
    schedule_check();
  });
}

void LogCleanerService::check() {
  storage::CleaningOptions options;
  options.now_ms = now_ms();
  options.min_dirty_ratio = static_cast<double>(config_.cleaner_min_dirty_percent) / 100.0;
  options.key_map_bytes = config_.cleaner_key_map_bytes;
  options.io_bytes_per_second = config_.cleaner_io_bytes_per_second;
  for (const TopicRecord& topic : manager_.list_topics()) {
    for (int32_t p = 0; p < topic.partitions; ++p) {
      auto partition = manager_.partition(topic.name, p);
      if (!partition || !(*partition)->compacted() || busy_.count(partition->get()) > 0) continue;
      auto job = (*partition)->prepare_cleaning(options);
      if (!job) continue;
      busy_.insert(partition->get());
      {
        std::lock_guard lock(mutex_);
        queue_.push_back(
            Pass{*partition, partition->get(), std::make_shared<storage::CleaningJob>(std::move(*job))});
      }
      wake_.notify_one();
    }
  }
}

void LogCleanerService::run_thread() {
  for (;;) {
    Pass pass;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      pass = std::move(queue_.front());
      queue_.pop_front();
    }
    Status status = pass.job->run(&cancel_);
    boost::asio::post(
        owner_, [this, pass = std::move(pass), status = std::move(status)]() { on_pass_done(pass, status); });
  }
}

void LogCleanerService::on_pass_done(const Pass& pass, Status status) {
  if (stopped_) return;
  busy_.erase(pass.key);
  auto partition = pass.partition.lock();
  if (!partition) return;
  auto finished = partition->finish_cleaning(*pass.job);
  const std::string name = partition->topic() + "-" + std::to_string(partition->id().value);
  if (!finished) {
    spdlog::error("{}: compaction swap failed: {}", name, finished.error().to_string());
    return;
  }
  const storage::CleaningStats& stats = *finished;
  if (!status || !stats.abandoned.empty()) {
    spdlog::warn("{}: compaction pass abandoned: {}", name,
                 stats.abandoned.empty() ? status.error().to_string() : stats.abandoned);
    return;
  }
  spdlog::info(
      "{}: compaction cleaned {} segments ({} -> {} bytes, {} records and {} tombstones removed, "
      "{} bytes read), clean up to offset {}",
      name, stats.segments_rewritten, stats.bytes_before, stats.bytes_after, stats.records_removed,
      stats.tombstones_removed, stats.bytes_read, stats.mapped_up_to.value);
}

}  // namespace millrace::broker
