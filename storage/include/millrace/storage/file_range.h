#pragma once
// FileRange: some bytes of a segment's .log file, named by position and length rather than copied, so that a
// sender can pass them to sendfile(2). Made by PartitionLog::read_ranges(); always whole batches.
//
// Lifetime: the range holds shared ownership of the segment's open file handles, so its descriptor stays
// valid after the log lets go of the segment (retention or compaction deleted it, the log was truncated or
// closed): a deleted file's bytes stay readable through an open descriptor.
//
// Truncation: a range's length is what was valid when the read was made; the log never hands out bytes past
// its logical end. The one way bytes under a range can change is a cut inside its segment followed by new
// appends (PartitionLog::truncate_to on a Raft follower, which only removes entries above the commit index,
// and consumers are served only below it; truncate_fully deletes files, which ranges survive). intact() turns
// false from the moment of a cut below the range's end (a cut above it changes none of its bytes), and read()
// then fails: a sender must check intact() before each send and give up (close the connection) rather than
// send what may have been replaced. docs/storage.md, "Reads as file ranges".
//
// Thread-safety: a range is a value; copies may be used on any thread. read() and native_handle() use pread
// and the descriptor only; intact() is an atomic load (plus a short lock after a cut of its segment). The
// check and a following send are not atomic with respect to a cut on another thread: the broker runs both
// on its one network thread.
#include <cstdint>
#include <filesystem>
#include <memory>

#include "millrace/protocol/bytes.h"
#include "millrace/protocol/result.h"

namespace millrace::storage {

class SegmentFile;  // internal: an open segment's file handles

class FileRange {
 public:
  FileRange() = default;
  // `cuts` is files->cuts() when the read was made.
  FileRange(std::shared_ptr<const SegmentFile> files, int64_t position, int64_t length, uint64_t cuts);

  int64_t position() const { return position_; }  // byte position in the .log file
  int64_t length() const { return length_; }
  // The .log file's descriptor for sendfile(2), or -1 if the file has none (a fake FileSystem in tests):
  // send the bytes read() returns instead.
  int native_handle() const;
  // False once the segment has been cut below this range's end since the range was made.
  bool intact() const;
  // Reads into.size() bytes starting `skip` bytes into the range. corrupt_data if the range is no longer
  // intact or the file ends early; I/O errors as they come.
  Status read(int64_t skip, MutableByteView into) const;
  const std::filesystem::path& path() const;

 private:
  std::shared_ptr<const SegmentFile> files_;
  // The .log's, held open while the range lives; released before files_.
  std::shared_ptr<const int> descriptor_;
  int64_t position_ = 0;
  int64_t length_ = 0;
  uint64_t cuts_ = 0;
};

}  // namespace millrace::storage
