#include "faulty_file_system.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include "millrace/storage/errc.h"

namespace millrace::testing {

namespace fs = std::filesystem;
using storage::File;
using storage::OpenMode;

namespace {

Error injected(int error_number, const std::string& operation, const fs::path& path) {
  const storage::errc kind = error_number == ENOSPC ? storage::errc::disk_full : storage::errc::io_error;
  return make_error(kind,
                    operation + " " + path.string() + ": " + std::strerror(error_number) + " (injected)");
}

bool is_under(const fs::path& path, const fs::path& directory) {
  const std::string p = path.lexically_normal().string();
  const std::string d = directory.lexically_normal().string();
  return p.compare(0, d.size(), d) == 0 && (p.size() == d.size() || p[d.size()] == '/');
}

}  // namespace

// A File that asks its FaultyFileSystem before each write and sync, and tells it about sizes.
class FaultyFileSystem::FaultyFile final : public File {
 public:
  FaultyFile(std::unique_ptr<File> real, std::shared_ptr<FaultyFileSystem> owner)
      : real_(std::move(real)), owner_(std::move(owner)) {}

  Status append(ByteView bytes) override {
    std::unique_lock lock(owner_->mutex_);
    ++owner_->writes_;
    if (auto error = owner_->check_writable(path())) return *error;
    size_t allowed = bytes.size();
    int error_number = 0;
    if (owner_->next_write_failure_) {
      error_number = owner_->next_write_failure_->first;
      allowed = std::min(allowed, owner_->next_write_failure_->second);
      owner_->next_write_failure_.reset();
    } else if (owner_->write_error_ != 0) {
      error_number = owner_->write_error_;
      allowed = 0;
    }
    if (owner_->free_bytes_ && static_cast<int64_t>(allowed) > *owner_->free_bytes_) {
      allowed = static_cast<size_t>(*owner_->free_bytes_);
      error_number = ENOSPC;
    }
    if (allowed > 0) {
      if (Status s = real_->append(bytes.subspan(0, allowed)); !s) return s;
      owner_->files_[path()].size = real_->size();
      if (owner_->free_bytes_) *owner_->free_bytes_ -= static_cast<int64_t>(allowed);
    }
    if (error_number != 0) return injected(error_number, "write", path());
    return {};
  }

  Result<size_t> read_at(int64_t position, MutableByteView into) const override {
    return real_->read_at(position, into);
  }

  void drop_cached(int64_t from, int64_t to) override { real_->drop_cached(from, to); }

  Status sync() override {
    int64_t size = 0;
    {
      std::unique_lock lock(owner_->mutex_);
      if (auto error = owner_->check_writable(path())) return *error;
      if (owner_->sync_error_ != 0) return injected(owner_->sync_error_, "fdatasync", path());
      size = owner_->files_[path()].size;  // what this sync covers; later appends may race it
    }
    if (Status s = real_->sync(); !s) return s;
    std::unique_lock lock(owner_->mutex_);
    FileState& state = owner_->files_[path()];
    state.durable = std::min(std::max(state.durable, size), state.size);
    ++owner_->syncs_;
    return {};
  }

  Status truncate(int64_t size_bytes) override {
    std::unique_lock lock(owner_->mutex_);
    if (auto error = owner_->check_writable(path())) return *error;
    if (owner_->truncate_error_ != 0) return injected(owner_->truncate_error_, "ftruncate", path());
    const int64_t before = real_->size();
    if (Status s = real_->truncate(size_bytes); !s) return s;
    FileState& state = owner_->files_[path()];
    state.size = size_bytes;
    state.durable = std::min(state.durable, size_bytes);
    if (owner_->free_bytes_) *owner_->free_bytes_ += before - size_bytes;
    return {};
  }

  int64_t size() const override { return real_->size(); }
  Status close() override { return real_->close(); }
  const fs::path& path() const override { return real_->path(); }

 private:
  const std::unique_ptr<File> real_;
  const std::shared_ptr<FaultyFileSystem> owner_;
};

FaultyFileSystem::FaultyFileSystem(std::shared_ptr<storage::FileSystem> real) : real_(std::move(real)) {}

Result<std::unique_ptr<File>> FaultyFileSystem::open(const fs::path& path, OpenMode mode) {
  {
    std::unique_lock lock(mutex_);
    if (read_only_ && is_under(path, *read_only_)) return injected(EROFS, "open", path);
  }
  auto file = real_->open(path, mode);
  if (!file) return std::move(file).error();
  std::unique_lock lock(mutex_);
  // What is on disk when a file is opened is taken as durable (a crash was simulated before, or it was
  // written by an earlier, cleanly closed log).
  auto [it, inserted] = files_.try_emplace(path, FileState{(*file)->size(), (*file)->size()});
  if (!inserted) it->second.size = (*file)->size();
  it->second.durable = std::min(it->second.durable, it->second.size);
  return std::unique_ptr<File>(std::make_unique<FaultyFile>(std::move(file).value(), shared_from_this()));
}

Status FaultyFileSystem::sync_directory(const fs::path& directory) {
  {
    std::unique_lock lock(mutex_);
    if (sync_error_ != 0) return injected(sync_error_, "fsync directory", directory);
  }
  return real_->sync_directory(directory);
}

std::optional<Error> FaultyFileSystem::check_writable(const fs::path& path) const {
  if (read_only_ && is_under(path, *read_only_)) return injected(EROFS, "write", path);
  return std::nullopt;
}

void FaultyFileSystem::set_free_bytes(int64_t bytes) {
  std::unique_lock lock(mutex_);
  free_bytes_ = bytes;
}

void FaultyFileSystem::unlimited_space() {
  std::unique_lock lock(mutex_);
  free_bytes_.reset();
}

void FaultyFileSystem::fail_next_write(int error_number, size_t prefix_bytes) {
  std::unique_lock lock(mutex_);
  next_write_failure_ = std::make_pair(error_number, prefix_bytes);
}

void FaultyFileSystem::fail_writes(int error_number) {
  std::unique_lock lock(mutex_);
  write_error_ = error_number;
}

void FaultyFileSystem::fail_truncates(int error_number) {
  std::unique_lock lock(mutex_);
  truncate_error_ = error_number;
}

void FaultyFileSystem::fail_syncs(int error_number) {
  std::unique_lock lock(mutex_);
  sync_error_ = error_number;
}

void FaultyFileSystem::set_read_only(const fs::path& directory) {
  std::unique_lock lock(mutex_);
  read_only_ = directory;
}

void FaultyFileSystem::set_writable() {
  std::unique_lock lock(mutex_);
  read_only_.reset();
}

void FaultyFileSystem::crash(int64_t keep_unsynced_bytes) {
  std::unique_lock lock(mutex_);
  for (auto& [path, state] : files_) {
    std::error_code ec;
    const auto on_disk = fs::file_size(path, ec);
    if (ec) continue;  // removed or renamed away since
    const int64_t keep = std::min(static_cast<int64_t>(on_disk), state.durable + keep_unsynced_bytes);
    fs::resize_file(path, static_cast<uintmax_t>(keep), ec);
    state.size = keep;
    state.durable = keep;
  }
  next_write_failure_.reset();
  write_error_ = 0;
  sync_error_ = 0;
  truncate_error_ = 0;
}

int64_t FaultyFileSystem::writes() const {
  std::unique_lock lock(mutex_);
  return writes_;
}

int64_t FaultyFileSystem::syncs() const {
  std::unique_lock lock(mutex_);
  return syncs_;
}

}  // namespace millrace::testing
