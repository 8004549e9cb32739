// millrace-faultproxy: a userspace TCP fault proxy for tests. Forwards a loopback port to a target and
// injects faults (delay, blackhole, reset, frame drops) switched at run time over a line-based control port.
// Prints "faultproxy listen=... control=... target=..." on stdout once both ports are ready, then runs until
// SIGINT or SIGTERM. See tools/faultproxy/README.md.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "control_command.h"
#include "fault_proxy.h"
#include "host_port.h"

namespace {

using namespace millrace::faultproxy;

int fail(const std::string& message) {
  std::fprintf(stderr, "millrace-faultproxy: error: %s\n", message.c_str());
  return 2;
}

// Blocks the termination signals in every thread (the event-loop thread inherits the mask), so that
// wait_for_termination() receives them.
sigset_t block_termination_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  return signals;
}

void wait_for_termination(const sigset_t& signals) {
  int received = 0;
  while (sigwait(&signals, &received) != 0) {
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"millrace-faultproxy: a userspace TCP fault proxy for tests"};
  std::string target_text, listen_text = "127.0.0.1:0", control_text = "127.0.0.1:0";
  std::vector<std::string> initial_faults;
  uint32_t max_frame_bytes = millrace::protocol::frame_format::kDefaultMaxFrameBytes;
  bool verbose = false;
  app.add_option("--target", target_text, "HOST:PORT to forward connections to")->required();
  app.add_option("--listen", listen_text, "loopback HOST:PORT to accept on (port 0: pick one)")
      ->capture_default_str();
  app.add_option("--control", control_text, "loopback HOST:PORT for the control protocol (port 0: pick one)")
      ->capture_default_str();
  app.add_option("--fault", initial_faults,
                 "control command to apply before accepting, e.g. --fault 'delay down 100'; repeatable");
  app.add_option("--max-frame-bytes", max_frame_bytes,
                 "largest native-protocol frame the frame tracker follows")
      ->capture_default_str();
  app.add_flag("--verbose", verbose, "log connection events to stderr");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return fail(e.what());
  }

  auto target = parse_host_port(target_text);
  if (!target) return fail("--target: " + target.error().message);
  auto listen = parse_host_port(listen_text);
  if (!listen) return fail("--listen: " + listen.error().message);
  auto control = parse_host_port(control_text);
  if (!control) return fail("--control: " + control.error().message);
  for (const auto& fault : initial_faults) {
    if (auto parsed = parse_control_command(fault); !parsed)
      return fail("--fault: " + parsed.error().message);
  }
  spdlog::set_level(verbose ? spdlog::level::debug : spdlog::level::warn);

  const sigset_t signals = block_termination_signals();
  FaultProxyOptions options;
  options.listen_host = listen->host;
  options.listen_port = listen->port;
  options.target_host = target->host;
  options.target_port = target->port;
  options.control_enabled = true;
  options.control_host = control->host;
  options.control_port = control->port;
  options.max_frame_bytes = max_frame_bytes;
  FaultProxy proxy(options);
  for (const auto& fault : initial_faults) proxy.execute(fault);
  if (auto status = proxy.start(); !status) return fail(status.error().message);
  std::printf("%s\n", proxy.startup_line().c_str());
  std::fflush(stdout);

  wait_for_termination(signals);
  proxy.stop();
  return 0;
}
