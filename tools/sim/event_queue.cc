#include "event_queue.h"

#include <cassert>

namespace millrace::sim {

void EventQueue::schedule_at(int64_t time_ms, Action action) {
  assert(time_ms >= now_ms_);
  events_.push(Event{time_ms, next_sequence_++, std::move(action)});
}

void EventQueue::run_next() {
  assert(!events_.empty());
  Event event = events_.top();
  events_.pop();
  now_ms_ = event.time_ms;
  event.action();
}

}  // namespace millrace::sim
