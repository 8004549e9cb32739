#include "node_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <stdexcept>

#include "broker_process.h"
#include "process.h"
#include "wait_until.h"

namespace millrace::faulttest {

namespace {

// fork + exec with output appended to `log_path`. The child gets SIGKILL when the thread that started it
// exits (PR_SET_PDEATHSIG), so an interrupted fault test leaves no brokers behind; nodes are always started
// from the runner's main thread. Everything the child needs is prepared before fork (other threads run).
pid_t spawn(const std::vector<std::string>& argv, const std::string& log_path) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(125);  // the parent died before prctl
    const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    const int null_in = ::open("/dev/null", O_RDONLY);
    ::dup2(null_in, 0);
    ::dup2(log, 1);
    ::dup2(log, 2);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

}  // namespace

NodeProcess::NodeProcess(int32_t node_id, uint16_t port, std::vector<std::string> argv,
                         std::filesystem::path log_path)
    : node_id_(node_id), port_(port), argv_(std::move(argv)), log_path_(std::move(log_path)) {}

NodeProcess::~NodeProcess() {
  if (pid_ > 0) kill9();
}

void NodeProcess::start(std::chrono::milliseconds timeout) {
  if (running()) return;
  pid_ = spawn(argv_, log_path_.string());
  paused_ = false;
  int code = 0;
  bool exited = false;
  const bool up = testing::wait_until(
      [&] {
        exited = testing::has_exited(pid_, code);
        return exited || testing::port_accepts(port_);
      },
      timeout);
  if (exited) {
    pid_ = -1;
    throw std::runtime_error("node " + std::to_string(node_id_) + " exited with code " +
                             std::to_string(code) + " at start (log: " + log_path_.string() + ")");
  }
  if (!up) throw std::runtime_error("node " + std::to_string(node_id_) + " did not open its port in time");
}

void NodeProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  testing::wait_for_exit(pid_, std::chrono::seconds(10));
  pid_ = -1;
  paused_ = false;
}

void NodeProcess::pause() {
  if (pid_ <= 0 || paused_) return;
  ::kill(pid_, SIGSTOP);
  paused_ = true;
}

void NodeProcess::resume() {
  if (pid_ <= 0 || !paused_) return;
  ::kill(pid_, SIGCONT);
  paused_ = false;
}

void NodeProcess::stop(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return;
  resume();
  ::kill(pid_, SIGTERM);
  if (!testing::wait_for_exit(pid_, timeout)) {
    ::kill(pid_, SIGKILL);
    testing::wait_for_exit(pid_, std::chrono::seconds(10));
  }
  pid_ = -1;
}

bool NodeProcess::running() {
  if (pid_ <= 0) return false;
  int code = 0;
  if (testing::has_exited(pid_, code)) {
    pid_ = -1;
    paused_ = false;
    return false;
  }
  return true;
}

}  // namespace millrace::faulttest
