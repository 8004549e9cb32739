#pragma once
// Flusher: the dedicated fsync path. Jobs are submitted on the network (owner) thread, run on the flusher
// thread, and their completions are posted back to the owner's io_context. Each pass takes every queued job,
// so many appends share one fsync per file (group commit).
//
// Thread-safety: submit() and stop() are called from the owner thread only.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "millrace/protocol/result.h"
#include "millrace/storage/partition_log.h"

namespace millrace::broker {

class Flusher {
 public:
  using Completion = std::function<void(Status)>;

  explicit Flusher(boost::asio::io_context& owner);
  ~Flusher();
  Flusher(const Flusher&) = delete;
  Flusher& operator=(const Flusher&) = delete;

  // Queues `job`; `done` runs on the owner's io_context with the fsync result.
  void submit(storage::FlushJob job, Completion done);
  // Runs the remaining jobs and joins the thread. Completions already posted still run on the owner.
  void stop();

  // Number of fsync passes so far (for group-commit statistics).
  uint64_t passes() const;

 private:
  void run();

  boost::asio::io_context& owner_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::pair<storage::FlushJob, Completion>> queue_;
  bool stopping_ = false;
  uint64_t passes_ = 0;
  std::thread thread_;
};

}  // namespace millrace::broker
