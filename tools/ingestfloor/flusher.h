#pragma once
// Flusher: the ingest floor's stand-in for the broker's flush path (broker/src/flusher.cc, with the default
// page-cache window). One thread syncs the partition files behind the receiver: whenever a file holds bytes
// not synced yet, it fdatasyncs that file (one file at a time; what arrives meanwhile goes into the next
// sync, as group commit does) and notes the synced range in a storage::PageCacheWindow, the broker's own,
// which drops the oldest synced bytes from the page cache beyond the window.
//
// The receiver never waits for it: written() is an atomic store per file, plus a wake-up of the thread when
// it is idle (a mutex and a condition variable, taken once per round of syncs, not once per write).
//
// Thread-safety: written() is called from one thread (the receiver, the files' owner); the constructor,
// finish() and the accessors from the thread that owns the Flusher.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "millrace/protocol/result.h"
#include "millrace/storage/file.h"
#include "millrace/storage/page_cache_window.h"
#include "millrace/storage/posix_file.h"

namespace millrace::ingestfloor {

class Flusher {
 public:
  // Starts the thread. `window_bytes` > 0 (see storage::PageCacheWindow).
  Flusher(std::vector<std::shared_ptr<storage::File>> files, int64_t window_bytes);
  ~Flusher();  // finish(), if it was not called
  Flusher(const Flusher&) = delete;
  Flusher& operator=(const Flusher&) = delete;

  // The receiver: file `index` now holds `end` bytes.
  void written(size_t index, int64_t end);

  // Syncs what was written and not synced yet, then joins the thread. The first sync error, if any (the
  // thread stops syncing at it).
  std::optional<Error> finish();

  // After finish(): bytes synced, bytes dropped from the page cache, and the thread's CPU seconds.
  uint64_t synced_bytes() const { return synced_bytes_; }
  uint64_t dropped_bytes() const { return static_cast<uint64_t>(window_.dropped_bytes()); }
  double cpu_seconds() const { return cpu_seconds_; }

 private:
  void run();
  Status sync(size_t index);

  const std::vector<std::shared_ptr<storage::File>> files_;
  std::vector<std::atomic<int64_t>> written_end_;  // per file, stored by the receiver
  std::atomic<bool> pending_{false};  // some written_end_ moved since the thread last read them all
  std::mutex mutex_;
  std::condition_variable wake_;
  bool finishing_ = false;  // guarded by mutex_
  // The thread's own; read by the owner after the join.
  std::vector<int64_t> synced_end_;
  storage::PageCacheWindow window_;
  uint64_t synced_bytes_ = 0;
  double cpu_seconds_ = 0;
  std::optional<Error> error_;
  std::thread thread_;
};

// A flusher over `files` keeping `window_bytes` when that is > 0; none (nothing synced or dropped) when it is
// 0.
std::optional<Flusher> flusher_for(const std::vector<std::shared_ptr<storage::PosixFile>>& files,
                                   int64_t window_bytes);

}  // namespace millrace::ingestfloor
