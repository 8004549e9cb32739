#include "compaction_swap.h"

#include <spdlog/spdlog.h>

#include <string>
#include <system_error>

#include "io_error.h"
#include "millrace/storage/disk_format.h"
#include "millrace/storage/posix_file.h"
#include "segment_names.h"

namespace millrace::storage {

namespace df = disk_format;
namespace fs = std::filesystem;

namespace {

Status remove_file(const fs::path& path) {
  std::error_code ec;
  if (!fs::remove(path, ec) && ec) return make_io_error(ec, "remove", path);
  return {};
}

Status rename_file(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec) return make_io_error(ec, "rename", from);
  return {};
}

// The final name of a .cleaned file.
fs::path final_path_of(const fs::path& cleaned) {
  std::string name = cleaned.filename().string();
  name.resize(name.size() - df::kCleanedSuffix.size());
  return cleaned.parent_path() / name;
}

}  // namespace

fs::path CompactionSwap::cleaned_path(const fs::path& final_path) {
  return fs::path(final_path.string() + std::string(df::kCleanedSuffix));
}

std::vector<fs::path> CompactionSwap::segment_paths(const fs::path& directory, Offset base) {
  // .log last: renamed after its indexes.
  return {segment_index_path(directory, base), segment_time_index_path(directory, base),
          segment_log_path(directory, base)};
}

Result<std::vector<fs::path>> CompactionSwap::list_cleaned(const fs::path& directory) {
  std::vector<fs::path> cleaned;
  std::error_code ec;
  for (fs::directory_iterator it(directory, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().filename().string().ends_with(df::kCleanedSuffix)) cleaned.push_back(it->path());
  }
  if (ec) return make_io_error(ec, "list directory", directory);
  return cleaned;
}

Status CompactionSwap::prepare_directory(const fs::path& directory) {
  const fs::path marker = directory / df::kCleanerCommitName;
  std::error_code ec;
  if (fs::exists(marker, ec)) {
    // The earlier pass's renames must be durable before the marker goes, and the marker must be gone
    // durably before this pass's .cleaned files appear: otherwise recovery would commit them.
    if (Status s = PosixFile::sync_directory(directory); !s) return s;
    if (Status s = remove_file(marker); !s) return s;
    if (Status s = PosixFile::sync_directory(directory); !s) return s;
  }
  auto stale = list_cleaned(directory);
  if (!stale) return std::move(stale).error();
  for (const fs::path& path : *stale) {
    if (Status s = remove_file(path); !s) return s;
  }
  return {};
}

Status CompactionSwap::commit(const fs::path& directory, const std::vector<Offset>& bases) {
  const fs::path marker = directory / df::kCleanerCommitName;
  {
    auto file = PosixFile::open(marker, OpenMode::open_or_create);
    if (!file) return std::move(file).error();
    if (Status s = (*file)->close(); !s) return s;
  }
  if (Status s = PosixFile::sync_directory(directory); !s) return s;  // the commit point
  for (Offset base : bases) {
    for (const fs::path& path : segment_paths(directory, base)) {
      if (Status s = rename_file(cleaned_path(path), path); !s) return s;
    }
  }
  return {};
}

void CompactionSwap::discard(const fs::path& directory, const std::vector<Offset>& bases) {
  for (Offset base : bases) {
    for (const fs::path& path : segment_paths(directory, base)) {
      if (Status s = remove_file(cleaned_path(path)); !s) spdlog::warn("{}", s.error().to_string());
    }
  }
}

Status CompactionSwap::recover(const fs::path& directory) {
  const fs::path marker = directory / df::kCleanerCommitName;
  std::error_code ec;
  const bool committed = fs::exists(marker, ec);
  if (ec) return make_io_error(ec, "stat", marker);
  auto cleaned = list_cleaned(directory);
  if (!cleaned) return std::move(cleaned).error();
  for (const fs::path& path : *cleaned) {
    if (committed) {
      spdlog::info("{}: finishing an interrupted compaction swap", path.string());
      if (Status s = rename_file(path, final_path_of(path)); !s) return s;
    } else {
      spdlog::info("{}: removing an unfinished compaction's file", path.string());
      if (Status s = remove_file(path); !s) return s;
    }
  }
  if (!committed) return {};
  if (Status s = PosixFile::sync_directory(directory); !s) return s;
  if (Status s = remove_file(marker); !s) return s;
  return PosixFile::sync_directory(directory);
}

}  // namespace millrace::storage
