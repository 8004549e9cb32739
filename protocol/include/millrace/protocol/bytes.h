#pragma once
// Byte views and buffers used for on-disk and on-wire bytes throughout Millrace.
#include <span>
#include <vector>

namespace millrace {

using ByteView = std::span<const char>;
using MutableByteView = std::span<char>;
using Buffer = std::vector<char>;

}  // namespace millrace
