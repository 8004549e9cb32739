#include "millrace/storage/file_range.h"

#include <cassert>
#include <string>

#include "millrace/storage/errc.h"
#include "segment_file.h"

namespace millrace::storage {

FileRange::FileRange(std::shared_ptr<const SegmentFile> files, int64_t position, int64_t length,
                     uint64_t cuts)
    : files_(std::move(files)),
      descriptor_(files_->log().lease_descriptor()),
      position_(position),
      length_(length),
      cuts_(cuts) {
  assert(files_ != nullptr && position_ >= 0 && length_ >= 0);
}

int FileRange::native_handle() const {
  return descriptor_ ? *descriptor_ : -1;
}

bool FileRange::intact() const {
  // The common case is one atomic load; only after a cut of this segment is its history consulted.
  return files_->cuts() == cuts_ || files_->lowest_cut_since(cuts_) >= position_ + length_;
}

Status FileRange::read(int64_t skip, MutableByteView into) const {
  assert(skip >= 0 && skip + static_cast<int64_t>(into.size()) <= length_);
  const auto cut_error = [&] {
    return make_error(errc::corrupt_data, path().string() + ": bytes " + std::to_string(position_) + "+" +
                                              std::to_string(length_) +
                                              " were truncated after they were read");
  };
  if (!intact()) return cut_error();
  auto read = files_->log().read_at(position_ + skip, into);
  if (!read) return std::move(read).error();
  if (*read != into.size()) return cut_error();
  if (!intact()) return cut_error();  // a cut on another thread during the pread
  return {};
}

const std::filesystem::path& FileRange::path() const {
  return files_->log().path();
}

}  // namespace millrace::storage
