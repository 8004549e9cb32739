#include "io_thread.h"

#include <pthread.h>

#include <boost/asio/post.hpp>
#include <cassert>
#include <string>

namespace millrace::client::internal {

IoThread::IoThread(const char* name)
    : work_(boost::asio::make_work_guard(io_)), thread_([this, name = std::string(name).substr(0, 15)] {
        pthread_setname_np(pthread_self(), name.c_str());
        io_.run();
      }) {}

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
