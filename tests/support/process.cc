#include "process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "temp_dir.h"

namespace millrace::testing {
namespace {

std::vector<char*> to_argv(const std::vector<std::string>& args) {
  std::vector<char*> out;
  for (const auto& a : args) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

bool has_exited(pid_t pid, int& code) {
  int status = 0;
  const pid_t r = ::waitpid(pid, &status, WNOHANG);
  if (r == pid) {
    code = decode_status(status);
    return true;
  }
  return false;
}

std::optional<int> wait_for_exit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int code = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (has_exited(pid, code)) return code;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (has_exited(pid, code)) return code;
  return std::nullopt;
}

pid_t spawn_process(const std::vector<std::string>& argv, const std::string& log_path,
                    const std::string& cwd) {
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    const int null_in = ::open("/dev/null", O_RDONLY);
    ::dup2(null_in, 0);
    ::dup2(log, 1);
    ::dup2(log, 2);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(126);
    auto args = to_argv(argv);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

CommandResult run_command(const std::vector<std::string>& argv, const std::string& input,
                          std::chrono::milliseconds timeout, const std::vector<std::string>& extra_env) {
  TempDir dir("millrace-cmd");
  const std::string in_path = (dir.path() / "in").string();
  const std::string out_path = (dir.path() / "out").string();
  const std::string err_path = (dir.path() / "err").string();
  {
    std::ofstream in(in_path);
    in << input;
  }
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::dup2(::open(in_path.c_str(), O_RDONLY), 0);
    ::dup2(::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644), 1);
    ::dup2(::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644), 2);
    for (const auto& e : extra_env) ::putenv(const_cast<char*>(e.c_str()));
    auto args = to_argv(argv);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  CommandResult result;
  auto code = wait_for_exit(pid, timeout);
  if (!code) {
    ::kill(pid, SIGKILL);
    wait_for_exit(pid, std::chrono::seconds(5));
    result.exit_code = -1;
  } else {
    result.exit_code = *code;
  }
  result.out = read_file(out_path);
  result.err = read_file(err_path);
  return result;
}

}  // namespace millrace::testing
