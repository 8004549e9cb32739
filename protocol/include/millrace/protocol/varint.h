#pragma once
// Zig-zag variable-length integers, as in Kafka records (and protobuf's sint32/sint64).
#include <cstddef>
#include <cstdint>
#include <optional>

#include "millrace/protocol/bytes.h"

namespace millrace::protocol {

constexpr size_t kVarintMaxBytes = 5;
constexpr size_t kVarlongMaxBytes = 10;

// Appends the zig-zag encoding of `value` to `out`.
void append_varint(Buffer& out, int32_t value);
void append_varlong(Buffer& out, int64_t value);
size_t varlong_size(int64_t value) noexcept;

// Reads a zig-zag varint from `in` starting at `pos`; advances `pos`. nullopt if truncated or over-long.
std::optional<int32_t> read_varint(ByteView in, size_t& pos) noexcept;
std::optional<int64_t> read_varlong(ByteView in, size_t& pos) noexcept;

}  // namespace millrace::protocol
