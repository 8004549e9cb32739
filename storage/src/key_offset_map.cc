#include "key_offset_map.h"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace millrace::storage {

namespace {

constexpr size_t kInitialSlots = 1024;

uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

// A 64-bit hash of `key` with `seed`: 8 bytes at a time, each word mixed into the state.
uint64_t hash64(std::string_view key, uint64_t seed) {
  uint64_t h = mix(seed ^ (key.size() * 0x9e3779b97f4a7c15ULL));
  size_t i = 0;
  for (; i + 8 <= key.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, key.data() + i, 8);
    h = mix(h ^ mix(word + seed)) * 0x9e3779b97f4a7c15ULL;
  }
  uint64_t tail = 0;
  if (key.size() > i) std::memcpy(&tail, key.data() + i, key.size() - i);
  return mix(h ^ mix(tail + seed + key.size() - i));
}

size_t power_of_two_at_most(size_t n) {
  size_t p = 1;
  while (p * 2 <= n) p *= 2;
  return p;
}

}  // namespace

KeyOffsetMap::KeyOffsetMap(int64_t max_bytes) {
  const size_t bytes = static_cast<size_t>(std::max<int64_t>(max_bytes, kInitialSlots * kEntryBytes));
  max_slots_ = power_of_two_at_most(bytes / kEntryBytes);
  max_keys_ = static_cast<size_t>(static_cast<double>(max_slots_) * kMaxLoad);
  table_.resize(std::min(kInitialSlots, max_slots_));
}

KeyOffsetMap::Hash KeyOffsetMap::hash(std::string_view key) {
  Hash h{hash64(key, 0x243f6a8885a308d3ULL), hash64(key, 0x13198a2e03707344ULL)};
  if (h.a == 0 && h.b == 0) h.b = 1;
  return h;
}

size_t KeyOffsetMap::slot_of(const Hash& h) const {
  const size_t mask = table_.size() - 1;
  size_t slot = h.a & mask;
  while (true) {
    const Entry& e = table_[slot];
    if ((e.hash_a == 0 && e.hash_b == 0) || (e.hash_a == h.a && e.hash_b == h.b)) return slot;
    slot = (slot + 1) & mask;
  }
}

void KeyOffsetMap::grow() {
  std::vector<Entry> old(table_.size() * 2);
  old.swap(table_);
  for (const Entry& e : old) {
    if (e.hash_a == 0 && e.hash_b == 0) continue;
    table_[slot_of(Hash{e.hash_a, e.hash_b})] = e;
  }
}

void KeyOffsetMap::put(std::string_view key, int64_t offset) {
  const Hash h = hash(key);
  size_t slot = slot_of(h);
  Entry& e = table_[slot];
  if (e.hash_a == h.a && e.hash_b == h.b) {
    e.offset = offset;
    return;
  }
  assert(size_ < max_keys_);
  if (static_cast<double>(size_ + 1) > static_cast<double>(table_.size()) * kMaxLoad &&
      table_.size() < max_slots_) {
    grow();
    slot = slot_of(h);
  }
  table_[slot] = Entry{h.a, h.b, offset};
  ++size_;
}

std::optional<int64_t> KeyOffsetMap::get(std::string_view key) const {
  const Hash h = hash(key);
  const Entry& e = table_[slot_of(h)];
  if (e.hash_a == 0 && e.hash_b == 0) return std::nullopt;
  return e.offset;
}

}  // namespace millrace::storage
