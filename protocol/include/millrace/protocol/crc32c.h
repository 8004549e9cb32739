#pragma once
// CRC-32C (Castagnoli), as used by Kafka's RecordBatch v2. Uses SSE4.2 when the CPU has it (detected at run
// time): three interleaved crc32 instruction chains over adjacent blocks, joined afterwards.
#include <cstddef>
#include <cstdint>

namespace millrace::protocol {

// Extends `crc` (0 for a fresh checksum) over `size` bytes at `data`.
uint32_t crc32c_extend(uint32_t crc, const void* data, size_t size) noexcept;
// The CRC-32C of `total_size` bytes whose CRC-32C was `crc`, after the `size` bytes at `offset` changed from
// `old_bytes` to `new_bytes`: O(size + log total_size), whatever the total.
uint32_t crc32c_patch(uint32_t crc, size_t total_size, size_t offset, const void* old_bytes,
                      const void* new_bytes, size_t size) noexcept;
// The same with the portable table-driven code, whatever the CPU (for tests and comparisons).
uint32_t crc32c_extend_portable(uint32_t crc, const void* data, size_t size) noexcept;
inline uint32_t crc32c(const void* data, size_t size) noexcept {
  return crc32c_extend(0, data, size);
}

}  // namespace millrace::protocol
