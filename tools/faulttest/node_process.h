#pragma once
// NodeProcess: one millraced child of the fault test. It can be killed with SIGKILL, paused with SIGSTOP,
// resumed and restarted with the same arguments (same port, same data directory).
//
// Not thread-safe: the fault injector owns the nodes while faults run; the runner afterwards.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace millrace::faulttest {

class NodeProcess {
 public:
  // `argv` is the whole command line (millraced first); output goes to `log_path` (appended on restarts).
  NodeProcess(int32_t node_id, uint16_t port, std::vector<std::string> argv, std::filesystem::path log_path);
  ~NodeProcess();  // SIGKILL if still running
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;

  // Spawns the process and waits until its port accepts connections; throws on timeout or early exit.
  void start(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  void kill9();   // SIGKILL and reap (also works on a paused process)
  void pause();   // SIGSTOP
  void resume();  // SIGCONT
  // SIGTERM (resuming first if paused), wait up to `timeout`, then SIGKILL.
  void stop(std::chrono::milliseconds timeout = std::chrono::seconds(15));

  bool running();  // started and not exited (paused counts as running)
  bool paused() const { return paused_; }
  // Running and not paused: it can answer requests.
  bool serving() { return running() && !paused_; }
  int32_t node_id() const { return node_id_; }
  uint16_t port() const { return port_; }
  const std::filesystem::path& log_path() const { return log_path_; }

 private:
  int32_t node_id_;
  uint16_t port_;
  std::vector<std::string> argv_;
  std::filesystem::path log_path_;
  pid_t pid_ = -1;
  bool paused_ = false;
};

}  // namespace millrace::faulttest
