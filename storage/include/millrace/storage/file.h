#pragma once
// File: the narrow interface through which storage does all segment and index I/O, so that a fake can later
// tear, truncate and fail writes. PosixFile is the real implementation.
//
// Threading: one owner thread calls append, read_at, truncate, size and close. sync() may run on another
// thread concurrently with those (but never concurrently with close() or destruction).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>

#include "millrace/protocol/bytes.h"
#include "millrace/protocol/result.h"

namespace millrace::storage {

enum class OpenMode {
  create_new,      // create the file; fail if it exists
  open_existing,   // open the file; fail with errc::not_found if it does not exist
  open_or_create,  // open the file, creating it empty if missing
};

class File {
 public:
  virtual ~File() = default;

  // Writes all of `bytes` at the end of the file. On error a prefix may have been written: size() then
  // counts it, and the caller decides whether to truncate it away.
  virtual Status append(ByteView bytes) = 0;
  // Reads up to into.size() bytes at `position`; returns how many (fewer only at the end of the file).
  virtual Result<size_t> read_at(int64_t position, MutableByteView into) const = 0;
  // Makes the file's data and size durable.
  virtual Status sync() = 0;
  // Tells the kernel the bytes in [from, to), already synced, will not be needed soon: their page-cache pages
  // are freed (a hint; reads still see the data, from the disk). Like sync(), may run on another thread.
  // Files without a page cache ignore it.
  virtual void drop_cached(int64_t /*from*/, int64_t /*to*/) {}
  // A hint before appends that will make the file `end` bytes long: disk space may be allocated ahead of
  // them, beyond `end`, so that the writes fill allocated space instead of allocating as they go. size() does
  // not count it; release_reserved(), truncate() and close() give back what the writes did not fill. Files
  // that cannot allocate ahead ignore it.
  virtual void reserve_for(int64_t /*end*/) {}
  virtual void release_reserved() {}
  // Sets the size to `size_bytes`; shrinking discards the tail.
  virtual Status truncate(int64_t size_bytes) = 0;
  // Bytes in the file (as written through this handle).
  virtual int64_t size() const = 0;
  // Closes the handle; nothing else may be called afterwards. The destructor closes if this was not called.
  virtual Status close() = 0;
  virtual const std::filesystem::path& path() const = 0;
  // The operating-system descriptor, for zero-copy sends (sendfile), kept open at least as long as the
  // returned lease lives (a layer that closes idle descriptors must not close this one meanwhile); nullptr
  // if there is none (fakes). Taken on the owner thread; the lease may be read and released on any thread.
  virtual std::shared_ptr<const int> lease_descriptor() const { return nullptr; }
};

}  // namespace millrace::storage
