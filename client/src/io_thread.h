#pragma once
// IoThread: one Asio io_context and the one thread that runs it. Sockets, timers and all state they drive
// live on this thread, so none of it needs locks. Thread-safe: context() may be used to post from anywhere.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <thread>

namespace millrace::client::internal {

class IoThread {
 public:
  // Starts the thread, named `name` (what `top -H` and perf show; at most 15 characters are kept).
  explicit IoThread(const char* name);
  ~IoThread();
  IoThread(const IoThread&) = delete;
  IoThread& operator=(const IoThread&) = delete;

  boost::asio::io_context& context() { return io_; }
  bool in_io_thread() const;

  // Runs `last` on the I/O thread, stops the loop (handlers still queued never run) and joins. Idempotent;
  // must not be called from the I/O thread.
  void stop(const std::function<void()>& last);

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
};

}  // namespace millrace::client::internal
