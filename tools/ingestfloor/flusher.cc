#include "flusher.h"

#include <pthread.h>

#include <utility>

#include "thread_cpu.h"

namespace millrace::ingestfloor {

Flusher::Flusher(std::vector<std::shared_ptr<storage::File>> files, int64_t window_bytes)
    : files_(std::move(files)),
      written_end_(files_.size()),
      synced_end_(files_.size(), 0),
      window_(window_bytes),
      thread_([this] {
        pthread_setname_np(pthread_self(), "ingest-flush");
        run();
      }) {}

Flusher::~Flusher() {
  if (thread_.joinable()) (void)finish();
}

void Flusher::written(size_t index, int64_t end) {
  written_end_[index].store(end);
  // Only the store that finds the thread caught up wakes it; the thread clears pending_ before it reads the
  // ends, so a store it may have missed sets pending_ again. Taking the mutex before notifying means the
  // thread is either before its check of pending_ or already waiting: the notification is not lost.
  if (!pending_.exchange(true)) {
    { std::lock_guard lock(mutex_); }
    wake_.notify_one();
  }
}

std::optional<Error> Flusher::finish() {
  {
    std::lock_guard lock(mutex_);
    finishing_ = true;
  }
  wake_.notify_one();
  thread_.join();
  return error_;
}

void Flusher::run() {
  for (bool last = false; !last;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return finishing_ || pending_.load(); });
      last = finishing_;  // every written() happened before finish(): this round syncs all of it
    }
    pending_.store(false);
    for (size_t index = 0; index < files_.size(); ++index) {
      if (Status synced = sync(index); !synced) {
        error_ = std::move(synced).error();
        last = true;
        break;
      }
    }
  }
  cpu_seconds_ = thread_cpu_seconds();
}

Status Flusher::sync(size_t index) {
  const int64_t end = written_end_[index].load();
  int64_t& synced = synced_end_[index];
  if (end <= synced) return {};
  if (Status status = files_[index]->sync(); !status) return status;  // covers at least [0, end)
  window_.note_synced(files_[index], synced, end);
  synced_bytes_ += static_cast<uint64_t>(end - synced);
  synced = end;
  return {};
}

std::optional<Flusher> flusher_for(const std::vector<std::shared_ptr<storage::PosixFile>>& files,
                                   int64_t window_bytes) {
  if (window_bytes <= 0) return std::nullopt;
  return std::optional<Flusher>(
      std::in_place, std::vector<std::shared_ptr<storage::File>>(files.begin(), files.end()), window_bytes);
}

}  // namespace millrace::ingestfloor
