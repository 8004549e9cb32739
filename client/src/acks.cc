#include "millrace/client/acks.h"

#include <string>

#include "millrace/client/errc.h"

namespace millrace::client {

Result<Acks> parse_acks(std::string_view text) {
  if (text == "0") return Acks::none;
  if (text == "1") return Acks::leader;
  if (text == "all" || text == "-1") return Acks::all;
  return make_error(errc::invalid_argument, "acks must be 0, 1 or all, got '" + std::string(text) + "'");
}

}  // namespace millrace::client
