#pragma once
// AdaptiveMutex: a mutex that spins briefly before it sleeps (glibc's PTHREAD_MUTEX_ADAPTIVE_NP), for locks
// held for well under a microsecond by threads that usually run on other cores: a waiter then takes the lock
// without a futex sleep and the wake-up the holder would owe it. Meets Lockable (std::lock_guard,
// std::unique_lock); not for std::condition_variable.
#include <pthread.h>

namespace millrace::client::internal {

class AdaptiveMutex {
 public:
  AdaptiveMutex() {
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
    pthread_mutex_init(&mutex_, &attr);
    pthread_mutexattr_destroy(&attr);
  }
  ~AdaptiveMutex() { pthread_mutex_destroy(&mutex_); }
  AdaptiveMutex(const AdaptiveMutex&) = delete;
  AdaptiveMutex& operator=(const AdaptiveMutex&) = delete;

  void lock() { pthread_mutex_lock(&mutex_); }
  bool try_lock() { return pthread_mutex_trylock(&mutex_) == 0; }
  void unlock() { pthread_mutex_unlock(&mutex_); }

 private:
  pthread_mutex_t mutex_;
};

}  // namespace millrace::client::internal
