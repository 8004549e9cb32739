#pragma once
// ChildProcess: runs a program with its stdout and stderr on pipes, for the tests of the millrace-faultproxy
// program. Every wait has a deadline. The destructor kills a child that is still running and reaps it.
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace millrace::faultproxy::testing {

class ChildProcess {
 public:
  explicit ChildProcess(const std::vector<std::string>& argv);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The next line of stdout (without "\n"), or nullopt at end of output or timeout.
  std::optional<std::string> read_stdout_line(std::chrono::milliseconds timeout);
  // Everything the child writes to stderr until it closes stderr or the timeout passes.
  std::string read_stderr(std::chrono::milliseconds timeout);
  // Waits for exit; returns the exit code (128+signal if signalled) or nullopt on timeout.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  // Sends SIGTERM and waits for exit.
  std::optional<int> terminate(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  std::string stdout_pending_;
  std::optional<int> exit_code_;
};

}  // namespace millrace::faultproxy::testing
