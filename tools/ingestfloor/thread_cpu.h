#pragma once
// The calling thread's CPU time in seconds (user and system), for the ingest floor's per-thread figures.
#include <time.h>

namespace millrace::ingestfloor {

inline double thread_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

}  // namespace millrace::ingestfloor
