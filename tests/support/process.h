#pragma once
// Child processes for integration tests: run a command to completion with stdin text and captured output,
// or start a long-running one (the broker) and signal it.
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace millrace::testing {

struct CommandResult {
  int exit_code = -1;  // -1 if killed by a signal or timed out
  std::string out;
  std::string err;
};

// Runs argv[0] with `input` on stdin; kills it after `timeout`.
CommandResult run_command(const std::vector<std::string>& argv, const std::string& input = "",
                          std::chrono::milliseconds timeout = std::chrono::seconds(60),
                          const std::vector<std::string>& extra_env = {});

// Starts argv[0] with stdout and stderr appended to `log_path`. Returns the pid.
pid_t spawn_process(const std::vector<std::string>& argv, const std::string& log_path,
                    const std::string& cwd = "");

// Waits for `pid` to exit up to `timeout`; returns its exit code (128+signal if signalled), or nullopt.
std::optional<int> wait_for_exit(pid_t pid, std::chrono::milliseconds timeout);

// Whether `pid` has exited (reaping it if so); exit code in `code`.
bool has_exited(pid_t pid, int& code);

}  // namespace millrace::testing
