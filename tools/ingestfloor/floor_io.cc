#include "floor_io.h"

#include <arpa/inet.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <system_error>

namespace millrace::ingestfloor {

Error system_error(const std::string& what) {
  return Error{std::error_code(errno, std::system_category()), what};
}

double machine_busy_seconds() {
  std::ifstream stat("/proc/stat");
  std::string cpu;
  uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0;
  stat >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq;
  return static_cast<double>(user + nice + system + irq + softirq) /
         static_cast<double>(sysconf(_SC_CLK_TCK));
}

Socket::~Socket() {
  if (fd_ >= 0) ::close(fd_);
}

Result<LoopbackListener> listen_on_loopback() {
  LoopbackListener listener{std::make_unique<Socket>(::socket(AF_INET, SOCK_STREAM, 0))};
  listener.address.sin_family = AF_INET;
  listener.address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t address_size = sizeof listener.address;
  const int fd = listener.socket->get();
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&listener.address), sizeof listener.address) != 0 ||
      ::listen(fd, 1) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&listener.address), &address_size) != 0)
    return system_error("listen on 127.0.0.1");
  return listener;
}

int connect_to(const sockaddr_in& address) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

bool send_all(int socket, std::vector<iovec> pieces, int flags) {
  size_t first = 0;
  while (first < pieces.size()) {
    msghdr message{};
    message.msg_iov = pieces.data() + first;
    message.msg_iovlen = pieces.size() - first;
    ssize_t sent = ::sendmsg(socket, &message, MSG_NOSIGNAL | flags);
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

bool send_file_range(int socket, int fd, int64_t offset, size_t size) {
  auto position = static_cast<off_t>(offset);
  while (size > 0) {
    ssize_t sent = ::sendfile(socket, fd, &position, size);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return false;
    size -= static_cast<size_t>(sent);
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

PartitionFiles::PartitionFiles(const std::string& directory, int partitions) {
  for (int partition = 0; partition < partitions; ++partition) {
    std::filesystem::path path =
        std::filesystem::path(directory) /
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

PartitionFiles::~PartitionFiles() {
  files_.clear();
  for (const auto& path : paths_) ::unlink(path.c_str());
}

uint64_t PartitionFiles::bytes_on_disk() const {
  uint64_t total = 0;
  for (const auto& path : paths_) {
    struct stat file_stat {};
    if (::stat(path.c_str(), &file_stat) == 0) total += static_cast<uint64_t>(file_stat.st_size);
  }
  return total;
}

Status append_reserved(storage::PosixFile& file, ByteView bytes) {
  file.reserve_for(file.size() + static_cast<int64_t>(bytes.size()));
  return file.append(bytes);
}

}  // namespace millrace::ingestfloor
