#pragma once
// EventQueue: the simulator's virtual clock and agenda. Events run in time order; events at the same time
// run in the order they were scheduled, so a run depends only on its seed. Not thread-safe.
#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

namespace millrace::sim {

class EventQueue {
 public:
  using Action = std::function<void()>;

  int64_t now_ms() const { return now_ms_; }
  void schedule_at(int64_t time_ms, Action action);
  void schedule_after(int64_t delay_ms, Action action) { schedule_at(now_ms_ + delay_ms, std::move(action)); }
  bool empty() const { return events_.empty(); }
  // Advances the clock to the next event and runs it.
  void run_next();

 private:
  struct Event {
    int64_t time_ms;
    uint64_t sequence;
    Action action;
  };
  struct Later {
    bool operator()(const Event& a, const Event& b) const {
      return a.time_ms != b.time_ms ? a.time_ms > b.time_ms : a.sequence > b.sequence;
    }
  };

  std::priority_queue<Event, std::vector<Event>, Later> events_;
  int64_t now_ms_ = 0;
  uint64_t next_sequence_ = 0;
};

}  // namespace millrace::sim
