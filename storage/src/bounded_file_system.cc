#include "millrace/storage/bounded_file_system.h"

#include <sys/stat.h>

#include <algorithm>
#include <cassert>
#include <utility>

#include "millrace/storage/errc.h"

namespace millrace::storage {
namespace {

// The file's identity at `path` (0/0 when it cannot be told, e.g. a path the wrapped layer invents).
struct FileIdentity {
  dev_t device = 0;
  ino_t inode = 0;
  bool known() const { return inode != 0; }
  bool operator==(const FileIdentity&) const = default;
};

FileIdentity identity_of(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  return {st.st_dev, st.st_ino};
}

}  // namespace

// One File handle. State shared with the decorator (inner_, pins_, the idle-list position, the write and sync
// generations) is guarded by the decorator's mutex; the operations themselves run outside it on a pinned
// descriptor.
class BoundedFileSystem::Handle final : public File {
 public:
  Handle(std::shared_ptr<BoundedFileSystem> owner, std::filesystem::path path, std::unique_ptr<File> inner)
      : owner_(std::move(owner)),
        path_(std::move(path)),
        identity_(identity_of(path_)),
        size_bytes_(inner->size()),
        inner_(std::move(inner)) {}

  ~Handle() override { (void)close(); }

  Status append(ByteView bytes) override {
    auto file = pin(true);
    if (!file) return std::move(file).error();
    Status s = (*file)->append(bytes);
    size_bytes_ = (*file)->size();
    unpin();
    return s;
  }

  Result<size_t> read_at(int64_t position, MutableByteView into) const override {
    auto file = pin(false);
    if (!file) return std::move(file).error();
    auto n = (*file)->read_at(position, into);
    unpin();
    return n;
  }

  Status sync() override {
    uint64_t generation = 0;
    auto file = pin(false, &generation);
    if (!file) return std::move(file).error();
    Status s = (*file)->sync();
    std::lock_guard lock(owner_->mutex_);
    if (s) synced_generation_ = std::max(synced_generation_, generation);
    unpin_locked();
    return s;
  }

  void drop_cached(int64_t from, int64_t to) override {
    auto file = pin(false);
    if (!file) return;  // closed: nothing to drop through it
    (*file)->drop_cached(from, to);
    unpin();
  }

  // Reserved space is not data: neither call makes the handle unsynced. A descriptor the bound closed gave
  // its reservation back as it closed.
  void reserve_for(int64_t end) override {
    auto file = pin(false);
    if (!file) return;
    (*file)->reserve_for(end);
    unpin();
  }

  void release_reserved() override {
    {
      std::lock_guard lock(owner_->mutex_);
      if (closed_ || !inner_) return;  // not reopened just for this: nothing is reserved through a new one
    }
    auto file = pin(false);
    if (!file) return;
    (*file)->release_reserved();
    unpin();
  }

  Status truncate(int64_t size_bytes) override {
    auto file = pin(true);
    if (!file) return std::move(file).error();
    Status s = (*file)->truncate(size_bytes);
    size_bytes_ = (*file)->size();
    unpin();
    return s;
  }

  int64_t size() const override { return size_bytes_; }

  // Pins the descriptor until the lease is released (the lease must not outlive the handle).
  std::shared_ptr<const int> lease_descriptor() const override {
    auto file = pin(false);
    if (!file) return nullptr;
    std::shared_ptr<const int> inner = (*file)->lease_descriptor();
    if (!inner) {
      unpin();
      return nullptr;
    }
    const int* descriptor = inner.get();
    return {descriptor, [this, inner = std::move(inner)](const int*) { unpin(); }};
  }

  Status close() override {
    std::unique_ptr<File> inner;
    {
      std::lock_guard lock(owner_->mutex_);
      if (closed_) return {};
      closed_ = true;
      leave_idle_list_locked();
      if (inner_) --owner_->stats_.open;
      --owner_->stats_.handles;
      inner = std::move(inner_);
    }
    return inner ? inner->close() : Status{};
  }

  const std::filesystem::path& path() const override { return path_; }

  // Decorator side, mutex held.
  bool idle_and_clean_locked() const {
    return inner_ && pins_ == 0 && synced_generation_ >= write_generation_;
  }
  void enter_idle_list_locked() const {
    owner_->idle_.push_front(const_cast<Handle*>(this));
    idle_position_ = owner_->idle_.begin();
    in_idle_list_ = true;
  }
  void close_descriptor_locked() {
    leave_idle_list_locked();
    (void)inner_->close();
    inner_.reset();
    --owner_->stats_.open;
    ++owner_->stats_.evictions;
  }

 private:
  // Makes sure a descriptor is open and keeps it open until unpin(). A write bumps the write generation
  // first, so a concurrent sync() that started earlier does not count it as synced.
  Result<File*> pin(bool write, uint64_t* generation = nullptr) const {
    std::lock_guard lock(owner_->mutex_);
    if (closed_) return make_error(errc::io_error, "use of a closed file " + path_.string());
    if (!inner_) {
      auto reopened = owner_->inner_->open(path_, OpenMode::open_existing);
      if (!reopened) return std::move(reopened).error();
      if (identity_.known() && !(identity_of(path_) == identity_)) {
        (void)(*reopened)->close();
        return make_error(errc::io_error, "reopen " + path_.string() +
                                              ": the file was removed or replaced since it was opened");
      }
      inner_ = std::move(reopened).value();
      ++owner_->stats_.open;
      ++owner_->stats_.reopens;
      owner_->evict_locked();
    }
    leave_idle_list_locked();
    ++pins_;
    if (write) ++write_generation_;
    if (generation != nullptr) *generation = write_generation_;
    return inner_.get();
  }

  void unpin() const {
    std::lock_guard lock(owner_->mutex_);
    unpin_locked();
  }

  void unpin_locked() const {
    assert(pins_ > 0);
    --pins_;
    if (!idle_and_clean_locked()) return;
    enter_idle_list_locked();
    owner_->evict_locked();
  }

  void leave_idle_list_locked() const {
    if (!in_idle_list_) return;
    owner_->idle_.erase(idle_position_);
    in_idle_list_ = false;
  }

  const std::shared_ptr<BoundedFileSystem> owner_;
  const std::filesystem::path path_;
  const FileIdentity identity_;
  int64_t size_bytes_;  // owner thread only, as File::size() promises

  // Guarded by owner_->mutex_.
  mutable std::unique_ptr<File> inner_;
  mutable int pins_ = 0;
  mutable uint64_t write_generation_ = 0;
  mutable uint64_t synced_generation_ = 0;
  mutable bool in_idle_list_ = false;
  mutable std::list<Handle*>::iterator idle_position_;
  bool closed_ = false;
};

std::shared_ptr<BoundedFileSystem> BoundedFileSystem::create(std::shared_ptr<FileSystem> inner,
                                                             size_t max_open) {
  return std::shared_ptr<BoundedFileSystem>(
      new BoundedFileSystem(std::move(inner), std::max<size_t>(max_open, 1)));
}

BoundedFileSystem::BoundedFileSystem(std::shared_ptr<FileSystem> inner, size_t max_open)
    : inner_(std::move(inner)), max_open_(max_open) {}

Result<std::unique_ptr<File>> BoundedFileSystem::open(const std::filesystem::path& path, OpenMode mode) {
  auto file = inner_->open(path, mode);
  if (!file) return std::move(file).error();
  auto handle = std::make_unique<Handle>(shared_from_this(), path, std::move(file).value());
  std::lock_guard lock(mutex_);
  ++stats_.handles;
  ++stats_.open;
  handle->enter_idle_list_locked();  // open, unused and clean: the most recently used idle handle
  evict_locked();
  return std::unique_ptr<File>(std::move(handle));
}

Status BoundedFileSystem::sync_directory(const std::filesystem::path& directory) {
  return inner_->sync_directory(directory);
}

OpenFileStats BoundedFileSystem::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void BoundedFileSystem::evict_locked() {
  while (stats_.open > max_open_ && !idle_.empty()) {
    Handle* victim = idle_.back();
    victim->close_descriptor_locked();
  }
}

}  // namespace millrace::storage
