#include "ingest_floor.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "flusher.h"
#include "millrace/protocol/crc32c.h"
#include "millrace/storage/posix_file.h"
#include "thread_cpu.h"

namespace millrace::ingestfloor {
namespace {

constexpr size_t kChecksumBytes = 4;  // each slice starts with the CRC-32C of the rest
constexpr size_t kValueSourceBytes = 1 << 20;
constexpr int kMaxPartitions = 1000;                 // one iovec each in a sendmsg (IOV_MAX is 1024)
constexpr uint64_t kMaxRequestBytes = 256ull << 20;  // a request is one buffer on each side

Error system_error(const std::string& what) {
  return Error{std::error_code(errno, std::system_category()), what};
}

// Busy time of all CPUs in seconds (user, nice, system, irq, softirq), from /proc/stat.
double machine_busy_seconds() {
  std::ifstream stat("/proc/stat");
  std::string cpu;
  uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0;
  stat >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq;
  return static_cast<double>(user + nice + system + irq + softirq) /
         static_cast<double>(sysconf(_SC_CLK_TCK));
}

// A socket, closed when it goes out of scope.
class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

bool send_all(int socket, std::vector<iovec> pieces) {
  size_t first = 0;
  while (first < pieces.size()) {
    msghdr message{};
    message.msg_iov = pieces.data() + first;
    message.msg_iovlen = pieces.size() - first;
    ssize_t sent = ::sendmsg(socket, &message, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return false;
    auto left = static_cast<size_t>(sent);
    while (first < pieces.size() && left >= pieces[first].iov_len) left -= pieces[first++].iov_len;
    if (left > 0) {
      pieces[first].iov_base = static_cast<char*>(pieces[first].iov_base) + left;
      pieces[first].iov_len -= left;
    }
  }
  return true;
}

bool receive_exactly(int socket, char* into, size_t size) {
  size_t got = 0;
  while (got < size) {
    ssize_t received = ::recv(socket, into + got, size - got, 0);
    if (received < 0 && errno == EINTR) continue;
    if (received <= 0) return false;
    got += static_cast<size_t>(received);
  }
  return true;
}

// Fills a partition's slice with whole values from `source` (rotating through it) and stamps its CRC.
void fill_slice(const IngestFloorOptions& options, const std::vector<char>& source, size_t& source_offset,
                char* slice) {
  for (size_t at = kChecksumBytes; at + options.record_bytes <= options.write_bytes;
       at += options.record_bytes) {
    std::memcpy(slice + at, source.data() + source_offset, options.record_bytes);
    source_offset = (source_offset + options.record_bytes) % (source.size() - options.record_bytes);
  }
  uint32_t crc = protocol::crc32c(slice + kChecksumBytes, options.write_bytes - kChecksumBytes);
  std::memcpy(slice, &crc, sizeof crc);
}

// The sending thread: one frame per request, a 4-byte length then one slice per partition (gather write).
std::optional<Error> run_sender(const IngestFloorOptions& options, uint64_t requests, sockaddr_in address,
                                double& cpu_seconds) {
  Socket socket(::socket(AF_INET, SOCK_STREAM, 0));
  if (::connect(socket.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
    return system_error("connect");
  std::vector<char> source(kValueSourceBytes);
  for (size_t i = 0; i < source.size(); ++i) source[i] = static_cast<char>(i * 131 + (i >> 12));
  std::vector<std::vector<char>> slices(static_cast<size_t>(options.partitions),
                                        std::vector<char>(options.write_bytes));
  size_t source_offset = 0;
  auto length = static_cast<uint32_t>(options.write_bytes * slices.size());
  for (uint64_t request = 0; request < requests; ++request) {
    std::vector<iovec> pieces{{&length, sizeof length}};
    for (auto& slice : slices) {
      if (options.checksums) fill_slice(options, source, source_offset, slice.data());
      pieces.push_back({slice.data(), slice.size()});
    }
    if (!send_all(socket.get(), std::move(pieces))) return system_error("send");
  }
  ::shutdown(socket.get(), SHUT_WR);
  char end = 0;
  [[maybe_unused]] ssize_t closed = ::recv(socket.get(), &end, 1, 0);  // the receiver closes when done
  cpu_seconds = thread_cpu_seconds();
  return std::nullopt;
}

// The receiving thread: reads each frame whole, checks each slice's CRC (with checksums), and appends each
// slice to its partition's file (one pwrite, as the broker's storage appends), then tells the flusher (if
// any) how far the file goes, without waiting for it.
std::optional<Error> run_receiver(const IngestFloorOptions& options,
                                  const std::vector<std::shared_ptr<storage::PosixFile>>& files, int socket,
                                  Flusher* flusher, uint64_t& bytes, double& cpu_seconds) {
  std::vector<char> frame(options.write_bytes * files.size());
  for (;;) {
    uint32_t length = 0;
    if (!receive_exactly(socket, reinterpret_cast<char*>(&length), sizeof length)) break;
    if (length != frame.size() || !receive_exactly(socket, frame.data(), frame.size()))
      return Error{std::make_error_code(std::errc::protocol_error), "short or malformed frame"};
    for (size_t partition = 0; partition < files.size(); ++partition) {
      const ByteView slice(frame.data() + partition * options.write_bytes, options.write_bytes);
      if (options.checksums) {
        uint32_t expected = 0;
        std::memcpy(&expected, slice.data(), sizeof expected);
        if (protocol::crc32c(slice.data() + kChecksumBytes, slice.size() - kChecksumBytes) != expected)
          return Error{std::make_error_code(std::errc::protocol_error), "CRC mismatch"};
      }
      // As a segment does (Segment::append): disk space reserved ahead, so ext4 does not map it page by page.
      files[partition]->reserve_for(files[partition]->size() + static_cast<int64_t>(slice.size()));
      if (auto appended = files[partition]->append(slice); !appended) return std::move(appended).error();
      if (flusher != nullptr) flusher->written(partition, files[partition]->size());
      bytes += slice.size();
    }
  }
  cpu_seconds = thread_cpu_seconds();
  return std::nullopt;
}

// One file per partition in options.directory; closed and removed on destruction, whatever happened.
class PartitionFiles {
 public:
  explicit PartitionFiles(const IngestFloorOptions& options) {
    for (int partition = 0; partition < options.partitions; ++partition) {
      std::filesystem::path path =
          std::filesystem::path(options.directory) /
          ("ingest-floor-" + std::to_string(::getpid()) + "-" + std::to_string(partition));
      auto file = storage::PosixFile::open(path, storage::OpenMode::create_new);
      if (!file) {
        error_ = std::move(file).error();
        return;
      }
      paths_.push_back(std::move(path));
      files_.push_back(std::move(*file));
    }
  }
  PartitionFiles(const PartitionFiles&) = delete;
  PartitionFiles& operator=(const PartitionFiles&) = delete;
  ~PartitionFiles() {
    files_.clear();
    for (const auto& path : paths_) ::unlink(path.c_str());
  }

  const std::optional<Error>& error() const { return error_; }
  const std::vector<std::shared_ptr<storage::PosixFile>>& files() const { return files_; }
  // What the file system says the files hold (not what was appended through them).
  uint64_t bytes_on_disk() const {
    uint64_t total = 0;
    for (const auto& path : paths_) {
      struct stat file_stat {};
      if (::stat(path.c_str(), &file_stat) == 0) total += static_cast<uint64_t>(file_stat.st_size);
    }
    return total;
  }

 private:
  std::vector<std::filesystem::path> paths_;
  std::vector<std::shared_ptr<storage::PosixFile>> files_;  // shared with the flusher's window
  std::optional<Error> error_;
};

}  // namespace

Result<IngestFloorResult> measure_ingest_floor(const IngestFloorOptions& options) {
  if (options.partitions < 1 || options.partitions > kMaxPartitions ||
      options.write_bytes <= kChecksumBytes + options.record_bytes || options.record_bytes == 0 ||
      options.record_bytes > kValueSourceBytes / 2 ||
      options.write_bytes * static_cast<uint64_t>(options.partitions) > kMaxRequestBytes ||
      options.page_cache_window_bytes < 0)
    return Error{std::make_error_code(std::errc::invalid_argument),
                 "need 1 <= partitions <= 1000, 0 < record_bytes <= 512 KiB, write_bytes > record_bytes + 4, "
                 "write_bytes x partitions <= 256 MiB and page_cache_window_bytes >= 0"};
  uint64_t request_bytes = options.write_bytes * static_cast<uint64_t>(options.partitions);
  uint64_t requests = options.total_bytes / request_bytes;
  if (requests == 0)
    return Error{std::make_error_code(std::errc::invalid_argument), "fewer bytes than a request"};

  PartitionFiles files(options);
  if (files.error()) return *files.error();
  std::optional<Flusher> flusher;  // finished (joined) before the files close, whatever happens
  if (options.page_cache_window_bytes > 0)
    flusher.emplace(std::vector<std::shared_ptr<storage::File>>(files.files().begin(), files.files().end()),
                    options.page_cache_window_bytes);
  Socket listener(::socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t address_size = sizeof address;
  if (::bind(listener.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener.get(), 1) != 0 ||
      ::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&address), &address_size) != 0)
    return system_error("listen on 127.0.0.1");

  IngestFloorResult result;
  double machine_before = machine_busy_seconds();
  auto started = std::chrono::steady_clock::now();
  std::optional<Error> sender_error, receiver_error;
  std::thread sender([&] { sender_error = run_sender(options, requests, address, result.sender_cpu_s); });
  Socket connection(::accept(listener.get(), nullptr, nullptr));
  if (connection.get() < 0) {
    receiver_error = system_error("accept");
  } else {
    std::thread receiver([&] {
      receiver_error = run_receiver(options, files.files(), connection.get(), flusher ? &*flusher : nullptr,
                                    result.bytes, result.receiver_cpu_s);
    });
    receiver.join();
    ::shutdown(connection.get(), SHUT_RDWR);
  }
  sender.join();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  result.machine_cpu_s = machine_busy_seconds() - machine_before;
  std::optional<Error> flusher_error;
  if (flusher) {  // after the measurement: the sync of the tail is not part of the rate
    flusher_error = flusher->finish();
    result.synced_bytes = flusher->synced_bytes();
    result.dropped_bytes = flusher->dropped_bytes();
    result.flusher_cpu_s = flusher->cpu_seconds();
  }

  uint64_t on_disk = files.bytes_on_disk();
  if (receiver_error) return *receiver_error;
  if (sender_error) return *sender_error;
  if (flusher_error) return *flusher_error;
  if (result.bytes != requests * request_bytes || on_disk != result.bytes)
    return Error{
        std::make_error_code(std::errc::io_error),
        "sent " + std::to_string(requests * request_bytes) + " bytes, wrote " + std::to_string(on_disk)};
  return result;
}

}  // namespace millrace::ingestfloor
