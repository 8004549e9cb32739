#pragma once
// PosixFile: File over a POSIX file descriptor. append() is one pwrite() at the end (retried only for the
// rest of a short write); read_at() is pread(); sync() is fdatasync(), and fails if the file no longer has a
// name (its directory was removed from under the log: its data can never be durable). reserve_for() is
// fallocate(FALLOC_FL_KEEP_SIZE) ahead of the end, in steps as large as the file (64 KiB to 16 MiB);
// release_reserved() is ftruncate() to the size, which frees blocks past the end. Thread-safety as for File.
#include <filesystem>
#include <memory>

#include "millrace/protocol/result.h"
#include "millrace/storage/file.h"

namespace millrace::storage {

class PosixFile final : public File {
 public:
  static Result<std::unique_ptr<PosixFile>> open(const std::filesystem::path& path, OpenMode mode);
  // fsyncs a directory, making the creation, renaming or removal of its entries durable.
  static Status sync_directory(const std::filesystem::path& directory);

  ~PosixFile() override;
  PosixFile(const PosixFile&) = delete;
  PosixFile& operator=(const PosixFile&) = delete;

  Status append(ByteView bytes) override;
  Result<size_t> read_at(int64_t position, MutableByteView into) const override;
  Status sync() override;
  void drop_cached(int64_t from, int64_t to) override;
  void reserve_for(int64_t end) override;
  void release_reserved() override;
  Status truncate(int64_t size_bytes) override;
  int64_t size() const override { return size_bytes_; }
  Status close() override;
  const std::filesystem::path& path() const override { return path_; }
  // The descriptor lives as long as this file: the lease owns nothing.
  std::shared_ptr<const int> lease_descriptor() const override {
    return {std::shared_ptr<const int>(), &fd_};
  }

 private:
  PosixFile(std::filesystem::path path, int fd, int64_t size_bytes);

  const std::filesystem::path path_;
  int fd_;
  int64_t size_bytes_;  // owner thread only; sync() does not touch it
  // Owner thread only: space is allocated up to here (nothing past size_bytes_ when not above it), and
  // whether fallocate still works here (the first failure stops the reservations of this handle).
  int64_t reserved_end_ = 0;
  bool may_reserve_ = true;
};

}  // namespace millrace::storage
