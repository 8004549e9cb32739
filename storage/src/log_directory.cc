#include "log_directory.h"

#include <algorithm>
#include <string>
#include <system_error>

#include "io_error.h"
#include "millrace/storage/disk_format.h"
#include "segment_names.h"

namespace millrace::storage {

namespace df = disk_format;
namespace fs = std::filesystem;

Status LogDirectory::create_if_missing() const {
  std::error_code ec;
  fs::create_directories(path_, ec);
  if (ec) return make_io_error(ec, "create directory", path_);
  return {};
}

Result<std::vector<Offset>> LogDirectory::list_segment_base_offsets() const {
  std::vector<Offset> bases;
  std::error_code ec;
  for (fs::directory_iterator it(path_, ec), end; !ec && it != end; it.increment(ec)) {
    if (auto base = parse_segment_log_name(it->path().filename().string())) bases.push_back(*base);
  }
  if (ec) return make_io_error(ec, "list directory", path_);
  std::sort(bases.begin(), bases.end());
  return bases;
}

Status LogDirectory::remove_temporary_files() const {
  std::vector<fs::path> temporary;
  std::error_code ec;
  for (fs::directory_iterator it(path_, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().filename().string().ends_with(df::kTemporarySuffix)) temporary.push_back(it->path());
  }
  if (ec) return make_io_error(ec, "list directory", path_);
  for (const fs::path& file : temporary) {
    if (!fs::remove(file, ec) && ec) return make_io_error(ec, "remove", file);
  }
  return {};
}

Result<bool> LogDirectory::has_clean_shutdown_marker() const {
  std::error_code ec;
  const bool exists = fs::exists(marker_path(), ec);
  if (ec) return make_io_error(ec, "stat", marker_path());
  return exists;
}

Status LogDirectory::write_clean_shutdown_marker() const {
  auto file = file_system_->open(marker_path(), OpenMode::open_or_create);
  if (!file) return std::move(file).error();
  if (Status s = (*file)->sync(); !s) return s;
  if (Status s = (*file)->close(); !s) return s;
  return sync();
}

Status LogDirectory::remove_clean_shutdown_marker() const {
  std::error_code ec;
  if (!fs::remove(marker_path(), ec) && ec) return make_io_error(ec, "remove", marker_path());
  return sync();
}

Status LogDirectory::sync() const {
  return file_system_->sync_directory(path_);
}

fs::path LogDirectory::marker_path() const {
  return path_ / df::kCleanShutdownMarkerName;
}

}  // namespace millrace::storage
