#include "io_thread.h"

#include <boost/asio/post.hpp>
#include <cassert>

namespace millrace::client::internal {

IoThread::IoThread() : work_(boost::asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}

IoThread::~IoThread() {
  stop([] {});
}

bool IoThread::in_io_thread() const {
  return thread_.get_id() == std::this_thread::get_id();
}

void IoThread::stop(const std::function<void()>& last) {
  if (!thread_.joinable()) return;
  assert(!in_io_thread());
  boost::asio::post(io_, [this, last] {
    last();
    io_.stop();
  });
  thread_.join();
}

}  // namespace millrace::client::internal
