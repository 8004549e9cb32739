#include "millrace/storage/posix_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>

#include "io_error.h"
#include "millrace/storage/errc.h"

namespace millrace::storage {
namespace {

constexpr mode_t kFilePermissions = 0644;
// reserve_for() allocates this far past the end the appends reach: as much again as the file holds, within
// these bounds, so a small file reserves little and a growing segment calls fallocate once per 16 MiB.
constexpr int64_t kMinReserveStep = int64_t{64} << 10;
constexpr int64_t kMaxReserveStep = int64_t{16} << 20;

int open_flags(OpenMode mode) {
  const int base = O_RDWR | O_CLOEXEC;
  switch (mode) {
    case OpenMode::create_new:
      return base | O_CREAT | O_EXCL;
    case OpenMode::open_existing:
      return base;
    case OpenMode::open_or_create:
      return base | O_CREAT;
  }
  return base;
}

}  // namespace

Result<std::unique_ptr<PosixFile>> PosixFile::open(const std::filesystem::path& path, OpenMode mode) {
  int fd = -1;
  do {
    fd = ::open(path.c_str(), open_flags(mode), kFilePermissions);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return make_io_error(errno, "open", path);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int error_number = errno;
    ::close(fd);
    return make_io_error(error_number, "fstat", path);
  }
  return std::unique_ptr<PosixFile>(new PosixFile(path, fd, static_cast<int64_t>(st.st_size)));
}

Status PosixFile::sync_directory(const std::filesystem::path& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return make_io_error(errno, "open directory", directory);
  const int rc = ::fsync(fd);
  const int error_number = errno;
  ::close(fd);
  if (rc != 0) return make_io_error(error_number, "fsync directory", directory);
  return {};
}

PosixFile::PosixFile(std::filesystem::path path, int fd, int64_t size_bytes)
    : path_(std::move(path)), fd_(fd), size_bytes_(size_bytes) {}

PosixFile::~PosixFile() {
  if (fd_ < 0) return;
  release_reserved();
  ::close(fd_);
}

Status PosixFile::append(ByteView bytes) {
  assert(fd_ >= 0);
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n =
        ::pwrite(fd_, bytes.data() + written, bytes.size() - written, static_cast<off_t>(size_bytes_));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return make_io_error(n < 0 ? errno : EIO, "write", path_);
    written += static_cast<size_t>(n);
    size_bytes_ += n;
  }
  return {};
}

Result<size_t> PosixFile::read_at(int64_t position, MutableByteView into) const {
  assert(fd_ >= 0 && position >= 0);
  size_t done = 0;
  while (done < into.size()) {
    const ssize_t n = ::pread(fd_, into.data() + done, into.size() - done,
                              static_cast<off_t>(position) + static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return make_io_error(errno, "read", path_);
    if (n == 0) break;  // end of file
    done += static_cast<size_t>(n);
  }
  return done;
}

Status PosixFile::sync() {
  assert(fd_ >= 0);
  if (::fdatasync(fd_) != 0) return make_io_error(errno, "fdatasync", path_);
  // Writes to a file that was deleted (say, its partition directory was removed while open) succeed and so
  // do its fsyncs, but nothing of it survives a restart: report that, rather than durability.
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return make_io_error(errno, "fstat", path_);
  if (st.st_nlink == 0) {
    return make_error(errc::io_error, "fdatasync " + path_.string() + ": the file has been deleted");
  }
  return {};
}

void PosixFile::drop_cached(int64_t from, int64_t to) {
  assert(fd_ >= 0 && from >= 0);
  if (to > from)
    (void)::posix_fadvise(fd_, static_cast<off_t>(from), static_cast<off_t>(to - from), POSIX_FADV_DONTNEED);
}

void PosixFile::reserve_for(int64_t end) {
  assert(fd_ >= 0);
  if (end <= reserved_end_ || !may_reserve_) return;
  const int64_t target = end + std::clamp(end, kMinReserveStep, kMaxReserveStep);
  int rc = 0;
  do {
    rc = ::fallocate(fd_, FALLOC_FL_KEEP_SIZE, static_cast<off_t>(size_bytes_),
                     static_cast<off_t>(target - size_bytes_));
  } while (rc != 0 && errno == EINTR);
  // A hint: without fallocate (EOPNOTSUPP) or room (ENOSPC) the appends allocate as they go, and report a
  // full disk themselves. Part of the range may be allocated all the same; close() frees it.
  if (rc != 0) {
    may_reserve_ = false;
    reserved_end_ = std::max(reserved_end_, target);
    return;
  }
  reserved_end_ = target;
}

void PosixFile::release_reserved() {
  assert(fd_ >= 0);
  if (reserved_end_ <= size_bytes_) return;
  reserved_end_ = 0;
  // Only this handle writes the file, so its size is the file's: ftruncate to it keeps every byte and frees
  // the blocks allocated past it (ext4 and XFS do this even when the size does not change).
  int rc = 0;
  do {
    rc = ::ftruncate(fd_, static_cast<off_t>(size_bytes_));
  } while (rc != 0 && errno == EINTR);
}

Status PosixFile::truncate(int64_t size_bytes) {
  assert(fd_ >= 0 && size_bytes >= 0);
  int rc = 0;
  do {
    rc = ::ftruncate(fd_, static_cast<off_t>(size_bytes));
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) return make_io_error(errno, "ftruncate", path_);
  size_bytes_ = size_bytes;
  reserved_end_ = 0;  // the blocks past the new end went with the tail
  return {};
}

Status PosixFile::close() {
  if (fd_ < 0) return {};
  release_reserved();
  const int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0) return make_io_error(errno, "close", path_);
  return {};
}

}  // namespace millrace::storage
