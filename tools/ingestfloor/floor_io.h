#pragma once
// What the ingest floor and the latency floor share: loopback sockets, the partition files they write and the
// machine's busy time. Internal to tools/ingestfloor; blocking calls, one thread per socket.
#include <netinet/in.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "millrace/protocol/result.h"
#include "millrace/storage/posix_file.h"

namespace millrace::ingestfloor {

// `what` failed with errno.
Error system_error(const std::string& what);

// Busy time of all CPUs in seconds (user, nice, system, irq, softirq), from /proc/stat.
double machine_busy_seconds();

// A socket, closed when it goes out of scope.
class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket();
  int get() const { return fd_; }

 private:
  int fd_;
};

// A socket listening on 127.0.0.1 at a port the kernel chose: `address` connects to it.
struct LoopbackListener {
  std::unique_ptr<Socket> socket;
  sockaddr_in address{};
};
Result<LoopbackListener> listen_on_loopback();
// A blocking connection to `address`, or -1 with errno set.
int connect_to(const sockaddr_in& address);

// Sends all of `pieces` (one sendmsg while the socket takes them whole), with `flags` (such as MSG_MORE)
// added to MSG_NOSIGNAL; false when the connection fails.
bool send_all(int socket, std::vector<iovec> pieces, int flags = 0);
// Sends `size` bytes of the file `fd` from `offset` with sendfile (no copy through user space), as the broker
// serves fetches; false when the connection or the file fails.
bool send_file_range(int socket, int fd, int64_t offset, size_t size);
// Reads exactly `size` bytes; false at the end of the stream or when the connection fails.
bool receive_exactly(int socket, char* into, size_t size);

// One file per partition in `directory`; closed and removed on destruction, whatever happened.
class PartitionFiles {
 public:
  PartitionFiles(const std::string& directory, int partitions);
  PartitionFiles(const PartitionFiles&) = delete;
  PartitionFiles& operator=(const PartitionFiles&) = delete;
  ~PartitionFiles();

  const std::optional<Error>& error() const { return error_; }
  const std::vector<std::shared_ptr<storage::PosixFile>>& files() const { return files_; }
  // What the file system says the files hold (not what was appended through them).
  uint64_t bytes_on_disk() const;

 private:
  std::vector<std::filesystem::path> paths_;
  std::vector<std::shared_ptr<storage::PosixFile>> files_;  // shared with a flusher's window
  std::optional<Error> error_;
};

// Appends `bytes` to `file` as a segment does (Segment::append): disk space reserved ahead, then one pwrite.
Status append_reserved(storage::PosixFile& file, ByteView bytes);

}  // namespace millrace::ingestfloor
