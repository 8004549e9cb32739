#include "millrace/broker/flusher.h"

#include <pthread.h>

#include <boost/asio/post.hpp>

namespace millrace::broker {

Flusher::Flusher(boost::asio::io_context& owner, int64_t page_cache_window_bytes)
    : owner_(owner), window_(page_cache_window_bytes) {
  for (int i = 0; i < kFlushThreads; ++i)
    threads_.emplace_back([this] {
      pthread_setname_np(pthread_self(), "millraced-flush");
      run();
    });
}

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
  wake_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

uint64_t Flusher::jobs_run() const {
  std::lock_guard lock(mutex_);
  return jobs_run_;
}

void Flusher::run() {
  for (;;) {
    std::pair<storage::FlushJob, Completion> item;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      item = std::move(queue_.front());
      queue_.pop_front();
      ++jobs_run_;
    }
    Status status = item.first.run(&window_);
    boost::asio::post(owner_, [done = std::move(item.second), status = std::move(status)]() mutable {
      done(std::move(status));
    });
  }
}

}  // namespace millrace::broker
