#include "fault_proxy.h"

#include <future>
#include <mutex>

#include <fmt/format.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include "control_command.h"
#include "control_server.h"
#include "proxy_limits.h"
#include "proxy_server.h"

namespace millrace::faultproxy {

struct FaultProxy::Loop {
  Loop(FaultState& faults, uint32_t max_frame_bytes, ControlServer::Execute execute)
      : work(io.get_executor()), server(io, faults, max_frame_bytes), control(io, std::move(execute)) {}

  asio::io_context io;  // first: destroyed last, after everything that uses it
  asio::executor_work_guard<asio::io_context::executor_type> work;
  ProxyServer server;
  ControlServer control;
  std::future<void> finished;  // ready when the event-loop thread returns
  std::mutex lifecycle_mutex;  // serialises start() and stop()
  bool stopped = false;
};

namespace {

Result<tcp::endpoint> loopback_endpoint(const std::string& host, uint16_t port, std::string_view what) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec || !address.is_loopback()) {
    return make_error(std::errc::invalid_argument,
                      fmt::format("{} address '{}' must be a loopback IP address", what, host));
  }
  return tcp::endpoint(address, port);
}

}  // namespace

FaultProxy::FaultProxy(FaultProxyOptions options)
    : options_(std::move(options)),
      loop_(std::make_unique<Loop>(faults_, options_.max_frame_bytes,
                                   [this](std::string_view line) { return execute(line); })) {}

FaultProxy::~FaultProxy() {
  stop();
}

Status FaultProxy::start() {
  std::lock_guard lock(loop_->lifecycle_mutex);
  if (started_ || loop_->stopped) return make_error(std::errc::operation_not_permitted, "start() runs once");
  auto listen = loopback_endpoint(options_.listen_host, options_.listen_port, "listen");
  if (!listen) return listen.error();
  boost::system::error_code ec;
  tcp::resolver resolver(loop_->io);
  auto target = resolver.resolve(options_.target_host, std::to_string(options_.target_port), ec);
  if (ec || target.empty()) {
    return make_error(std::errc::invalid_argument,
                      fmt::format("cannot resolve target {}: {}", options_.target_host, ec.message()));
  }
  if (auto status = loop_->server.listen(*listen, std::move(target)); !status) return status;
  listen_port_ = loop_->server.port();
  if (options_.control_enabled) {
    auto control = loopback_endpoint(options_.control_host, options_.control_port, "control");
    if (!control) return control.error();
    if (auto status = loop_->control.listen(*control); !status) return status;
    control_port_ = loop_->control.port();
    loop_->control.start_accepting();
  }
  loop_->server.start_accepting();
  std::promise<void> finished;
  loop_->finished = finished.get_future();
  thread_ = std::thread([this, finished = std::move(finished)]() mutable {
    loop_->io.run();
    finished.set_value();
  });
  started_ = true;
  return {};
}

void FaultProxy::stop() {
  std::lock_guard lock(loop_->lifecycle_mutex);
  if (loop_->stopped) return;
  loop_->stopped = true;
  if (!started_) return;
  asio::post(loop_->io, [loop = loop_.get()] {
    loop->server.stop();
    loop->control.stop();
    loop->work.reset();
  });
  // Closing every socket ends every coroutine, so run() returns by itself; if something lingers, stop hard.
  if (loop_->finished.wait_for(kStopTimeout) != std::future_status::ready) loop_->io.stop();
  thread_.join();
}

std::string FaultProxy::startup_line() const {
  const std::string control =
      options_.control_enabled ? fmt::format("{}:{}", options_.control_host, control_port_) : "-";
  return fmt::format("faultproxy listen={}:{} control={} target={}:{}", options_.listen_host, listen_port_,
                     control, options_.target_host, options_.target_port);
}

void FaultProxy::pass(DirectionSet directions) {
  faults_.set_pass(directions);
}

void FaultProxy::delay(DirectionSet directions, std::chrono::milliseconds delay) {
  faults_.set_delay(directions, delay);
}

void FaultProxy::blackhole(DirectionSet directions) {
  faults_.set_blackhole(directions);
}

void FaultProxy::drop_frames(DirectionSet directions, uint64_t count) {
  faults_.set_frames_to_drop(directions, count);
}

void FaultProxy::reset() {
  faults_.set_refusing(true);  // first, so no connection slips in between
  asio::post(loop_->io, [loop = loop_.get()] { loop->server.abort_all(); });
}

void FaultProxy::heal() {
  faults_.heal();
}

FaultSnapshot FaultProxy::stats() const {
  return faults_.snapshot();
}

std::string FaultProxy::execute(std::string_view line) {
  auto command = parse_control_command(line);
  if (!command) return "error " + command.error().message;
  switch (command->verb) {
    case ControlVerb::pass:
      pass(command->directions);
      break;
    case ControlVerb::delay:
      delay(command->directions, std::chrono::milliseconds(command->value));
      break;
    case ControlVerb::blackhole:
      blackhole(command->directions);
      break;
    case ControlVerb::drop_frames:
      drop_frames(command->directions, command->value);
      break;
    case ControlVerb::reset:
      reset();
      break;
    case ControlVerb::heal:
      heal();
      break;
    case ControlVerb::stats:
      return "ok " + describe_stats(stats());
  }
  return "ok " + describe_faults(stats());
}

}  // namespace millrace::faultproxy
