#pragma once
// LogCleanerService: runs log compaction for the partitions whose topic has cleanup.policy compact (or
// compact,delete). Every cleaner_interval_ms the owner (network) thread asks each such partition for a
// cleaning pass (Partition::prepare_cleaning: cheap, no I/O); the passes run one at a time on the service's
// own cleaner thread (CleaningJob::run: all the reading and writing), and each completion is posted back to
// the owner thread, which swaps the cleaned segments in (Partition::finish_cleaning: renames and one
// directory fsync). Produce and fetch never wait for a pass.
//
// Thread-safety: start(), stop() and the completions run on the owner thread; only the queue is shared.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "millrace/broker/broker_config.h"
#include "millrace/storage/cleaning_job.h"

namespace millrace::broker {

class Partition;
class PartitionManager;

class LogCleanerService {
 public:
  LogCleanerService(boost::asio::io_context& owner, PartitionManager& manager, const BrokerConfig& config);
  ~LogCleanerService();
  LogCleanerService(const LogCleanerService&) = delete;
  LogCleanerService& operator=(const LogCleanerService&) = delete;

  // Starts the cleaner thread and the periodic check.
  void start();
  // Cancels the check and the pass in progress (which leaves only temporary files, deleted on the next open)
  // and joins the thread. Completions not yet run are dropped.
  void stop();

 private:
  struct Pass {
    std::weak_ptr<Partition> partition;
    const Partition* key = nullptr;  // in busy_
    std::shared_ptr<storage::CleaningJob> job;
  };

  void schedule_check();
  void check();
  void run_thread();
  void on_pass_done(const Pass& pass, Status status);

  boost::asio::io_context& owner_;
  PartitionManager& manager_;
  const BrokerConfig& config_;
  boost::asio::steady_timer timer_;
  std::set<const Partition*> busy_;  // owner thread: partitions with a pass queued or running
  bool stopped_ = false;             // owner thread

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pass> queue_;  // guarded by mutex_
  bool stopping_ = false;   // guarded by mutex_
  std::atomic<bool> cancel_{false};
  std::thread thread_;
};

}  // namespace millrace::broker
