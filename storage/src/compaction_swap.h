#pragma once
// CompactionSwap: the crash-safe replacement of segments by their cleaned copies (docs/storage.md,
// "Compaction"). All-or-nothing per pass:
//
//   cleaner thread: prepare_directory() — finish with an earlier pass's commit marker (fsync the directory,
//                   remove the marker, fsync again) and delete stale .cleaned files; then the pass writes
//                   `<base>.{log,index,timeindex}.cleaned`, fsyncs each, and fsyncs the directory.
//   owner thread:   commit() — create the commit marker and fsync the directory (the commit point), then
//                   rename each .cleaned file over its segment file.
//   open():         recover() — with the marker, rename every .cleaned file that is left (finishing the
//                   commit), fsync, remove the marker; without it, delete every .cleaned file (rolling back).
//
// A crash at any point therefore leaves either every segment of the pass cleaned or none of them.
#include <filesystem>
#include <vector>

#include "millrace/protocol/result.h"
#include "millrace/protocol/strong_types.h"

namespace millrace::storage {

class CompactionSwap {
 public:
  // The temporary name of a cleaned copy of `final_path` (a segment's .log, .index or .timeindex).
  static std::filesystem::path cleaned_path(const std::filesystem::path& final_path);
  // The .log, .index and .timeindex paths of segment `base`.
  static std::vector<std::filesystem::path> segment_paths(const std::filesystem::path& directory,
                                                          Offset base);

  static Status prepare_directory(const std::filesystem::path& directory);
  // Commits the cleaned copies of the segments `bases`. An error after the marker is durable leaves the
  // swap for open() to finish: the caller must stop using the log.
  static Status commit(const std::filesystem::path& directory, const std::vector<Offset>& bases);
  // Deletes the cleaned copies of `bases` (an abandoned pass). Best effort; open() deletes leftovers.
  static void discard(const std::filesystem::path& directory, const std::vector<Offset>& bases);
  static Status recover(const std::filesystem::path& directory);

 private:
  static Result<std::vector<std::filesystem::path>> list_cleaned(const std::filesystem::path& directory);
};

}  // namespace millrace::storage
