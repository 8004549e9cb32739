#pragma once
// LoopbackSocket: a blocking-style TCP client for the tests, where every operation has a deadline (poll on a
// non-blocking descriptor). A write and a read may run on two threads at once. Not copyable; movable.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace millrace::faultproxy::testing {

class LoopbackSocket {
 public:
  enum class ReadStatus { data, timeout, closed };

  // Connects to 127.0.0.1:port; valid() is false if that failed.
  explicit LoopbackSocket(uint16_t port);
  ~LoopbackSocket();
  LoopbackSocket(LoopbackSocket&& other) noexcept;
  LoopbackSocket(const LoopbackSocket&) = delete;
  LoopbackSocket& operator=(const LoopbackSocket&) = delete;

  bool valid() const { return fd_ >= 0; }
  bool write_all(std::string_view bytes, std::chrono::milliseconds timeout);
  // Exactly n bytes, or nullopt on timeout or end of stream.
  std::optional<std::string> read_exact(size_t n, std::chrono::milliseconds timeout);
  // Appends what one read returns to `out`.
  ReadStatus read_some(std::string& out, std::chrono::milliseconds timeout);
  // Reads and discards until end of stream or reset (true) or the timeout (false).
  bool wait_closed(std::chrono::milliseconds timeout);
  void shutdown_write();

 private:
  bool wait_ready(short events, std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
};

}  // namespace millrace::faultproxy::testing
