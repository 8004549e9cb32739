// The control port of an in-process proxy: commands over TCP, answered one line each, in order.
#include <catch2/catch.hpp>

#include "echo_server.h"
#include "proxy_limits.h"
#include "test_proxy.h"

using namespace millrace::faultproxy;
using namespace millrace::faultproxy::testing;

namespace {

// Reads `count` answer lines.
std::vector<std::string> read_lines(LoopbackSocket& socket, size_t count) {
  std::string text;
  std::vector<std::string> lines;
  const auto deadline = std::chrono::steady_clock::now() + kIoTimeout;
  while (lines.size() < count && std::chrono::steady_clock::now() < deadline) {
    if (socket.read_some(text, kIoTimeout) != LoopbackSocket::ReadStatus::data) break;
    for (size_t newline; (newline = text.find('\n')) != std::string::npos;) {
      lines.push_back(text.substr(0, newline));
      text.erase(0, newline + 1);
    }
  }
  return lines;
}

}  // namespace

TEST_CASE("the control port answers each command on its own line, in order", "[control_server]") {
  EchoServer echo;
  auto proxy = start_proxy(echo.port(), true);
  REQUIRE(proxy->control_port() != 0);
  LoopbackSocket control(proxy->control_port());
  REQUIRE(control.valid());

  REQUIRE(control.write_all("delay up 30\nbogus\r\ndrop-frames down 2\nstats\n", kIoTimeout));
  const auto answers = read_lines(control, 4);
  REQUIRE(answers.size() == 4);
  CHECK(answers[0] == "ok up=delay:30 down=pass drop_up=0 drop_down=0 reset=off");
  CHECK(answers[1].rfind("error unknown command 'bogus'", 0) == 0);
  CHECK(answers[2] == "ok up=delay:30 down=pass drop_up=0 drop_down=2 reset=off");
  CHECK(answers[3].rfind("ok up=delay:30 down=pass drop_up=0 drop_down=2 reset=off open=0", 0) == 0);
  CHECK(proxy->stats().of(Direction::up).policy.delay == std::chrono::milliseconds(30));

  REQUIRE(control.write_all("heal\n", kIoTimeout));
  CHECK(read_lines(control, 1) ==
        std::vector<std::string>{"ok up=pass down=pass drop_up=0 drop_down=0 reset=off"});
}

TEST_CASE("the control port rejects an overlong line and closes the session", "[control_server]") {
  EchoServer echo;
  auto proxy = start_proxy(echo.port(), true);
  LoopbackSocket control(proxy->control_port());
  REQUIRE(control.valid());
  REQUIRE(control.write_all(std::string(kControlLineBytesMax + 10, 'x'), kIoTimeout));
  const auto answers = read_lines(control, 1);
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].rfind("error line too long", 0) == 0);
  CHECK(control.wait_closed(kIoTimeout));

  LoopbackSocket again(proxy->control_port());  // the port itself still serves
  REQUIRE(again.write_all("stats\n", kIoTimeout));
  const auto stats = read_lines(again, 1);
  REQUIRE(stats.size() == 1);
  CHECK(stats[0].rfind("ok ", 0) == 0);
}
