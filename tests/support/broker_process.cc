#include "broker_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "process.h"
#include "wait_until.h"

namespace millrace::testing {

std::string millraced_path() {
  return MILLRACED_PATH;
}
std::string millrace_cli_path() {
  return MILLRACE_CLI_PATH;
}

uint16_t pick_free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot bind an ephemeral port");
  }
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool port_accepts(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

BrokerProcess::BrokerProcess(std::filesystem::path data_dir, std::vector<std::string> extra_args,
                             uint16_t port)
    : data_dir_(std::move(data_dir)), extra_args_(std::move(extra_args)), port_(port) {
  log_path_ = data_dir_.parent_path() / (data_dir_.filename().string() + ".log");
}

BrokerProcess::~BrokerProcess() {
  if (pid_ > 0) kill9();
}

std::string BrokerProcess::log() const {
  std::ifstream in(log_path_);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void BrokerProcess::start(std::chrono::milliseconds timeout) {
  constexpr int kPortAttempts = 5;
  for (int attempt = 0; attempt < kPortAttempts; ++attempt) {
    const bool first_start = port_ == 0;
    if (first_start) port_ = pick_free_port();
    std::vector<std::string> argv = {millraced_path(), "--data-dir", data_dir_.string(), "--listen",
                                     "127.0.0.1:" + std::to_string(port_)};
    argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
    pid_ = spawn_process(argv, log_path_.string());
    int code = 0;
    bool exited = false;
    const bool up = wait_until(
        [&] {
          if (has_exited(pid_, code)) {
            exited = true;
            return true;
          }
          return port_accepts(port_);
        },
        timeout);
    if (up && !exited) return;
    pid_ = -1;
    // Another process took the port between pick and bind: try a new one (first start only).
    if (exited && first_start && log().find("cannot bind") != std::string::npos) {
      port_ = 0;
      continue;
    }
    throw std::runtime_error("millraced did not start (exit " + std::to_string(code) + "):\n" + log());
  }
  throw std::runtime_error("millraced could not find a free port:\n" + log());
}

std::optional<int> BrokerProcess::stop(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return std::nullopt;
  resume();  // a stopped process would not act on SIGTERM
  ::kill(pid_, SIGTERM);
  auto code = wait_for_exit(pid_, timeout);
  if (code) pid_ = -1;
  return code;
}

void BrokerProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  wait_for_exit(pid_, std::chrono::seconds(30));
  pid_ = -1;
  paused_ = false;
}

void BrokerProcess::pause() {
  if (pid_ <= 0 || paused_) return;
  ::kill(pid_, SIGSTOP);
  paused_ = true;
}

void BrokerProcess::resume() {
  if (pid_ <= 0 || !paused_) return;
  ::kill(pid_, SIGCONT);
  paused_ = false;
}

bool BrokerProcess::running() {
  if (pid_ <= 0) return false;
  int code = 0;
  if (has_exited(pid_, code)) {
    pid_ = -1;
    return false;
  }
  return true;
}

}  // namespace millrace::testing
