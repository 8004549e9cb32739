#include "io_error.h"

#include <cerrno>
#include <string>

#include "millrace/storage/errc.h"

namespace millrace::storage {

Error make_io_error(int error_number, std::string_view operation, const std::filesystem::path& path) {
  return make_io_error(std::error_code(error_number, std::generic_category()), operation, path);
}

Error make_io_error(const std::error_code& code, std::string_view operation,
                    const std::filesystem::path& path) {
  errc kind = errc::io_error;
  if (code == std::errc::no_space_on_device || code.value() == EDQUOT) kind = errc::disk_full;
  if (code == std::errc::no_such_file_or_directory) kind = errc::not_found;
  return make_error(kind, std::string(operation) + " " + path.string() + ": " + code.message());
}

}  // namespace millrace::storage
