#pragma once
// Flusher: the dedicated fsync path. Jobs are submitted on the network (owner) thread, run on one of
// kFlushThreads flusher threads, and their completions are posted back to the owner's io_context.
// Group commit happens per partition: a partition has at most one job in flight, and everything it appends
// meanwhile goes into its next job. Several threads let fsyncs of different partitions overlap, which the
// filesystem journal can merge, instead of queueing one behind another.
//
// Thread-safety: submit() and stop() are called from the owner thread only.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "millrace/protocol/result.h"
#include "millrace/storage/page_cache_window.h"
#include "millrace/storage/partition_log.h"

namespace millrace::broker {

// Threads running fsyncs. More than the partitions being written to at once buys nothing.
constexpr int kFlushThreads = 4;

class Flusher {
 public:
  using Completion = std::function<void(Status)>;

  // `page_cache_window_bytes`: see storage::PageCacheWindow (0: drop nothing).
  explicit Flusher(boost::asio::io_context& owner, int64_t page_cache_window_bytes = 0);
  ~Flusher();
  Flusher(const Flusher&) = delete;
  Flusher& operator=(const Flusher&) = delete;

  // Queues `job`; `done` runs on the owner's io_context with the fsync result.
  void submit(storage::FlushJob job, Completion done);
  // Runs the remaining jobs and joins the thread. Completions already posted still run on the owner.
  void stop();

  // Number of jobs run so far (for group-commit statistics).
  uint64_t jobs_run() const;

 private:
  void run();

  boost::asio::io_context& owner_;
  storage::PageCacheWindow window_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::pair<storage::FlushJob, Completion>> queue_;
  bool stopping_ = false;
  uint64_t jobs_run_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace millrace::broker
