#pragma once
// FrameBuffer: bytes received from a socket. A std::vector<char> whose resize() leaves the new bytes
// uninitialised instead of zeroing them (a read is about to overwrite them), so growing a receive buffer for
// a large response costs no memset.
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

namespace millrace::client::internal {

// An allocator that default-initialises (for char: leaves alone) what the container value-initialises.
template <class T>
class DefaultInitAllocator : public std::allocator<T> {
 public:
  using value_type = T;
  DefaultInitAllocator() noexcept = default;
  template <class U>
  DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}  // NOLINT: converting, as std::allocator

  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

using FrameBuffer = std::vector<char, DefaultInitAllocator<char>>;

}  // namespace millrace::client::internal
