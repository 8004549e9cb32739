#pragma once
// CLI11 validators with short messages ("must be >= 1"), instead of CLI11's range over all doubles.
#include <CLI/Error.hpp>
#include <CLI/Validators.hpp>
#include <cstdint>

namespace millrace::cli {

// Accepts integers >= `minimum`.
CLI::Validator at_least(int64_t minimum);

}  // namespace millrace::cli
