#pragma once
// Turns a failed system call into an Error: disk_full for ENOSPC/EDQUOT, not_found for ENOENT, io_error
// otherwise, with a message naming the operation, the file and the system's text for the error.
#include <filesystem>
#include <string_view>
#include <system_error>

#include "millrace/protocol/result.h"

namespace millrace::storage {

Error make_io_error(int error_number, std::string_view operation, const std::filesystem::path& path);
Error make_io_error(const std::error_code& code, std::string_view operation,
                    const std::filesystem::path& path);

}  // namespace millrace::storage
