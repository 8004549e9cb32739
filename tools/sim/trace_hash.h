#pragma once
// TraceHash: a running 64-bit hash (FNV-1a) of everything a run does, so two runs of one seed can be
// compared with one number.
#include <cstdint>
#include <string_view>

namespace millrace::sim {

class TraceHash {
 public:
  void add(uint64_t value) {
    for (int i = 0; i < 8; ++i) add_byte(static_cast<uint8_t>(value >> (8 * i)));
  }
  void add(std::string_view text) {
    for (char c : text) add_byte(static_cast<uint8_t>(c));
  }
  uint64_t value() const { return hash_; }

  static uint64_t of_bytes(const char* data, size_t size) {
    TraceHash h;
    for (size_t i = 0; i < size; ++i) h.add_byte(static_cast<uint8_t>(data[i]));
    return h.value();
  }

 private:
  void add_byte(uint8_t byte) {
    hash_ ^= byte;
    hash_ *= 0x100000001B3ULL;
  }
  uint64_t hash_ = 0xCBF29CE484222325ULL;
};

}  // namespace millrace::sim
