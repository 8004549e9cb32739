#pragma once
// StringHash: hashes a std::string and a string_view alike, so that an unordered map keyed by std::string
// (with std::equal_to<>) is searched by a view without building a string.
#include <cstddef>
#include <functional>
#include <string_view>

namespace millrace::client::internal {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

}  // namespace millrace::client::internal
