#include "millrace/broker/flusher.h"

#include <boost/asio/post.hpp>

namespace millrace::broker {

Flusher::Flusher(boost::asio::io_context& owner) : owner_(owner), thread_([this] { run(); }) {}

Flusher::~Flusher() {
  stop();
}

void Flusher::submit(storage::FlushJob job, Completion done) {
  {
    std::lock_guard lock(mutex_);
    queue_.emplace_back(std::move(job), std::move(done));
  }
  wake_.notify_one();
}

void Flusher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

uint64_t Flusher::passes() const {
  std::lock_guard lock(mutex_);
  return passes_;
}

void Flusher::run() {
  for (;;) {
    std::deque<std::pair<storage::FlushJob, Completion>> batch;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      batch.swap(queue_);
      ++passes_;
    }
    for (auto& [job, done] : batch) {
      Status status = job.run();
      boost::asio::post(owner_, [done = std::move(done), status = std::move(status)]() mutable {
        done(std::move(status));
      });
    }
  }
}

}  // namespace millrace::broker
