#pragma once
// LogDirectory: the partition directory itself — creating it, listing its segments, and the clean-shutdown
// marker (disk_format.h). Every change to the marker is made durable (file and directory fsynced), because
// a marker that outlives a crash would make open() trust a torn log.
#include <filesystem>
#include <memory>
#include <vector>

#include "millrace/protocol/result.h"
#include "millrace/protocol/strong_types.h"
#include "millrace/storage/file_system.h"

namespace millrace::storage {

class LogDirectory {
 public:
  LogDirectory(std::filesystem::path path, std::shared_ptr<FileSystem> file_system)
      : path_(std::move(path)), file_system_(std::move(file_system)) {}

  const std::filesystem::path& path() const { return path_; }
  // Where the log's files are opened and synced.
  const std::shared_ptr<FileSystem>& file_system() const { return file_system_; }

  Status create_if_missing() const;
  // Base offsets of the segments (their .log files), ascending. Other files are ignored.
  Result<std::vector<Offset>> list_segment_base_offsets() const;
  // Removes leftovers of interrupted atomic replacements (files ending in the temporary suffix).
  Status remove_temporary_files() const;

  Result<bool> has_clean_shutdown_marker() const;
  Status write_clean_shutdown_marker() const;
  Status remove_clean_shutdown_marker() const;

  // fsyncs the directory.
  Status sync() const;

 private:
  std::filesystem::path marker_path() const;

  std::filesystem::path path_;
  std::shared_ptr<FileSystem> file_system_;
};

}  // namespace millrace::storage
