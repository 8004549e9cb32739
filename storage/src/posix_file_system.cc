#include "millrace/storage/file_system.h"
#include "millrace/storage/posix_file.h"

namespace millrace::storage {
namespace {

// FileSystem over PosixFile. Stateless, so thread-safe.
class PosixFileSystem final : public FileSystem {
 public:
  Result<std::unique_ptr<File>> open(const std::filesystem::path& path, OpenMode mode) override {
    auto file = PosixFile::open(path, mode);
    if (!file) return std::move(file).error();
    return std::unique_ptr<File>(std::move(file).value());
  }
  Status sync_directory(const std::filesystem::path& directory) override {
    return PosixFile::sync_directory(directory);
  }
};

}  // namespace

std::shared_ptr<FileSystem> posix_file_system() {
  static const std::shared_ptr<FileSystem> instance = std::make_shared<PosixFileSystem>();
  return instance;
}

}  // namespace millrace::storage
