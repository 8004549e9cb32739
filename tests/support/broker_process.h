#pragma once
// BrokerProcess: a real millraced child process on a loopback port chosen at run time, for integration
// tests. start() waits (with a deadline) until the port accepts connections.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace millrace::testing {

// Path of the built millraced / millrace binaries (set by CMake).
std::string millraced_path();
std::string millrace_cli_path();

// A port on 127.0.0.1 that was free a moment ago.
uint16_t pick_free_port();

class BrokerProcess {
 public:
  // `extra_args` are passed to millraced after --data-dir and --listen. `port` 0: a free port chosen at the
  // first start; otherwise that port (a cluster's peers list names the ports before any node starts).
  explicit BrokerProcess(std::filesystem::path data_dir, std::vector<std::string> extra_args = {},
                         uint16_t port = 0);
  ~BrokerProcess();  // kills the process if still running

  // Starts millraced (on a new free port the first time; the same port on restarts). Throws with the
  // broker's log if it does not come up within `timeout`.
  void start(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // SIGTERM, then waits for exit; returns the exit code (nullopt on timeout).
  std::optional<int> stop(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // SIGKILL, then reaps.
  void kill9();
  // SIGSTOP / SIGCONT: a paused broker keeps its sockets but answers nothing (a hung node).
  void pause();
  void resume();
  bool paused() const { return paused_; }
  bool running();

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }  // -1 when not started
  std::string bootstrap() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string log() const;
  const std::filesystem::path& data_dir() const { return data_dir_; }

 private:
  std::filesystem::path data_dir_;
  std::vector<std::string> extra_args_;
  std::filesystem::path log_path_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
  bool paused_ = false;
};

// Whether a TCP connection to 127.0.0.1:port succeeds.
bool port_accepts(uint16_t port);

}  // namespace millrace::testing
