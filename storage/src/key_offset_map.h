#pragma once
// KeyOffsetMap: the cleaner's key -> latest offset map, in bounded memory. Keys are stored as a 128-bit hash
// (two independent 64-bit hashes), so an entry is 24 bytes whatever the key's size; open addressing with
// linear probing in one array that grows by doubling up to `max_bytes`. A collision of two different keys
// (probability about n^2 / 2^129 for n keys) would make the older key's record look superseded.
//
// Not thread-safe: one cleaning pass uses it on one thread.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace millrace::storage {

class KeyOffsetMap {
 public:
  static constexpr size_t kEntryBytes = 24;
  // The table is never filled beyond this fraction, so that probes stay short.
  static constexpr double kMaxLoad = 0.75;

  explicit KeyOffsetMap(int64_t max_bytes);

  // How many distinct keys fit at most.
  size_t capacity() const { return max_keys_; }
  size_t size() const { return size_; }
  // Whether `more` distinct new keys would certainly fit.
  bool has_room_for(size_t more) const { return size_ + more <= max_keys_; }

  // Records `offset` as the latest of `key` (offsets are put in ascending order). The caller checks
  // has_room_for first; putting into a full map is a bug.
  void put(std::string_view key, int64_t offset);
  std::optional<int64_t> get(std::string_view key) const;

 private:
  struct Entry {
    uint64_t hash_a = 0;
    uint64_t hash_b = 0;  // 0 in both: empty slot (a key hashing to that is nudged)
    int64_t offset = 0;
  };
  struct Hash {
    uint64_t a;
    uint64_t b;
  };
  static Hash hash(std::string_view key);
  size_t slot_of(const Hash& h) const;
  void grow();

  std::vector<Entry> table_;
  size_t size_ = 0;
  size_t max_keys_;
  size_t max_slots_;
};

}  // namespace millrace::storage
