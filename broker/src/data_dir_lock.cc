#include "millrace/broker/data_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "millrace/broker/errc.h"

namespace millrace::broker {

Result<std::unique_ptr<DataDirLock>> DataDirLock::acquire(const std::filesystem::path& data_dir) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    return make_error(errc::data_dir_unusable,
                      "cannot create data directory '" + data_dir.string() + "': " + ec.message());
  }
  const auto lock_path = data_dir / ".lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return make_error(errc::data_dir_unusable,
                      "data directory '" + data_dir.string() + "' is not writable: " + std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    return make_error(errc::data_dir_unusable, "data directory '" + data_dir.string() +
                                                   "' is in use by another millraced (" + std::strerror(err) +
                                                   ")");
  }
  return std::unique_ptr<DataDirLock>(new DataDirLock(fd));
}

DataDirLock::~DataDirLock() {
  ::close(fd_);
}

}  // namespace millrace::broker
