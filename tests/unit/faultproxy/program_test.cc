// The millrace-faultproxy program as a child process: it prints its ports on one line, forwards, obeys the
// control port, applies --fault flags before the first connection, and refuses bad arguments.
#include <catch2/catch.hpp>

#include <cstdio>

#include "child_process.h"
#include "echo_server.h"
#include "test_proxy.h"
#include "wait_until.h"

using namespace millrace::faultproxy::testing;
using millrace::testing::wait_until;

namespace {

constexpr auto kStartTimeout = std::chrono::milliseconds(5000);
const std::string kProgram = FAULTPROXY_PATH;

struct StartedProgram {
  uint16_t listen_port = 0;
  uint16_t control_port = 0;
};

// Reads the startup line and checks its shape.
StartedProgram read_startup_line(ChildProcess& child, uint16_t target_port) {
  const auto line = child.read_stdout_line(kStartTimeout);
  REQUIRE(line);
  INFO("startup line: " << *line);
  unsigned listen_port = 0, control_port = 0;
  char target[64] = {};
  int consumed = 0;
  REQUIRE(std::sscanf(line->c_str(), "faultproxy listen=127.0.0.1:%u control=127.0.0.1:%u target=%63s%n",
                      &listen_port, &control_port, target, &consumed) == 3);
  CHECK(static_cast<size_t>(consumed) == line->size());  // nothing after the target
  CHECK(std::string(target) == "127.0.0.1:" + std::to_string(target_port));
  REQUIRE(listen_port > 0);
  REQUIRE(listen_port <= 65535);
  REQUIRE(control_port > 0);
  REQUIRE(control_port <= 65535);
  return {static_cast<uint16_t>(listen_port), static_cast<uint16_t>(control_port)};
}

// Sends one control command and returns the answer line.
std::string command(LoopbackSocket& control, const std::string& line) {
  if (!control.write_all(line + "\n", kIoTimeout)) return "(write failed)";
  std::string answer;
  while (answer.find('\n') == std::string::npos) {
    if (control.read_some(answer, kIoTimeout) != LoopbackSocket::ReadStatus::data) return "(no answer)";
  }
  return answer.substr(0, answer.find('\n'));
}

}  // namespace

TEST_CASE("the program prints its ports and obeys the control port", "[program]") {
  EchoServer echo;
  ChildProcess child({kProgram, "--target", "127.0.0.1:" + std::to_string(echo.port())});
  const auto ports = read_startup_line(child, echo.port());
  LoopbackSocket data(ports.listen_port);
  LoopbackSocket control(ports.control_port);
  REQUIRE(data.valid());
  REQUIRE(control.valid());
  CHECK(round_trip(data, "through") == "through");

  CHECK(command(control, "blackhole up").rfind("ok up=blackhole", 0) == 0);
  REQUIRE(data.write_all("void", kIoTimeout));
  CHECK(
      wait_until([&] { return command(control, "stats").find(" up_dropped_bytes=4 ") != std::string::npos; },
                 kIoTimeout));
  CHECK(command(control, "heal").rfind("ok up=pass", 0) == 0);
  CHECK(round_trip(data, "again") == "again");
  CHECK(echo.received_bytes() == 12);  // "through" + "again"; "void" was lost

  CHECK(command(control, "nonsense").rfind("error ", 0) == 0);
  CHECK(command(control, "reset") == "ok up=pass down=pass drop_up=0 drop_down=0 reset=on");
  CHECK(data.wait_closed(kIoTimeout));
  CHECK(command(control, "heal").rfind("ok ", 0) == 0);
  LoopbackSocket after(ports.listen_port);
  CHECK(round_trip(after, "healed") == "healed");

  CHECK(child.terminate(kStartTimeout) == std::optional<int>(0));
}

TEST_CASE("the program applies --fault flags before the first connection", "[program]") {
  EchoServer echo;
  ChildProcess child({kProgram, "--target", "127.0.0.1:" + std::to_string(echo.port()), "--fault",
                      "delay both 150", "--fault", "drop-frames down 1"});
  const auto ports = read_startup_line(child, echo.port());
  LoopbackSocket control(ports.control_port);
  CHECK(command(control, "stats").rfind("ok up=delay:150 down=delay:150 drop_up=0 drop_down=1", 0) == 0);
  LoopbackSocket data(ports.listen_port);
  const std::string first = make_frame(1), second = make_frame(2);
  REQUIRE(data.write_all(first, kIoTimeout));
  const auto begin = std::chrono::steady_clock::now();
  CHECK(round_trip(data, second) == second);  // the first response frame was dropped
  CHECK(std::chrono::steady_clock::now() - begin >= std::chrono::milliseconds(300));
}

TEST_CASE("the program refuses bad arguments", "[program]") {
  const std::vector<std::vector<std::string>> bad = {
      {kProgram},                                                       // no --target
      {kProgram, "--target", "nonsense"},                               // not HOST:PORT
      {kProgram, "--target", "127.0.0.1:1", "--fault", "explode"},      // not a control command
      {kProgram, "--target", "127.0.0.1:1", "--listen", "10.1.2.3:0"},  // not loopback
  };
  for (const auto& argv : bad) {
    INFO("argv[1..]: " << (argv.size() > 1 ? argv[1] : "") << " " << (argv.size() > 3 ? argv[3] : ""));
    ChildProcess child(argv);
    CHECK(child.wait_exit(kStartTimeout) == std::optional<int>(2));
    CHECK(child.read_stderr(kStartTimeout).find("error") != std::string::npos);
  }
}
