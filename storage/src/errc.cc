#include "millrace/storage/errc.h"

#include <string>

namespace millrace::storage {
namespace {

class StorageCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "millrace.storage"; }
  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::io_error:
        return "I/O error";
      case errc::corrupt_data:
        return "corrupt data on disk";
      case errc::offset_out_of_range:
        return "offset out of range";
      case errc::log_closed:
        return "log is closed";
      case errc::not_found:
        return "not found";
      case errc::invalid_argument:
        return "invalid argument";
      case errc::disk_full:
        return "disk full";
    }
    return "unknown storage error " + std::to_string(value);
  }
};

}  // namespace

const std::error_category& storage_category() noexcept {
  static const StorageCategory category;
  return category;
}

std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), storage_category()};
}

}  // namespace millrace::storage
