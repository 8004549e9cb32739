// IoThread names its thread, so `top -H` and perf tell a producer's I/O thread from a consumer's.
#include <pthread.h>

#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>
#include <future>
#include <string>

#include "io_thread.h"

using millrace::client::internal::IoThread;

namespace {

std::string name_seen_on(IoThread& io) {
  std::promise<std::string> seen;
  boost::asio::post(io.context(), [&seen, &io] {
    char name[16] = {};
    pthread_getname_np(pthread_self(), name, sizeof(name));
    seen.set_value(io.in_io_thread() ? name : "(not the I/O thread)");
  });
  auto future = seen.get_future();
  REQUIRE(future.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
  return future.get();
}

}  // namespace

TEST_CASE("the I/O thread carries the name it was given, cut to the 15 characters Linux keeps") {
  IoThread short_name("test-io");
  CHECK(name_seen_on(short_name) == "test-io");
  IoThread long_name("a-name-longer-than-fifteen");
  CHECK(name_seen_on(long_name) == "a-name-longer-t");
}
