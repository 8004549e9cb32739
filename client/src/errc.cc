#include "millrace/client/errc.h"

#include <string>

namespace millrace::client {
namespace {

class ClientCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "millrace.client"; }
  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::invalid_config:
        return "INVALID_CLIENT_CONFIG: client configuration is invalid";
      case errc::invalid_argument:
        return "INVALID_ARGUMENT: invalid argument";
      case errc::closed:
        return "CLIENT_CLOSED: the client was closed";
      case errc::buffer_exhausted:
        return "BUFFER_EXHAUSTED: producer buffer memory is full";
      case errc::bad_response:
        return "BAD_RESPONSE: broker response could not be understood";
      case errc::not_assigned:
        return "PARTITION_NOT_ASSIGNED: partition is not assigned to this consumer";
    }
    return "unknown client error " + std::to_string(value);
  }
};

}  // namespace

const std::error_category& client_category() noexcept {
  static const ClientCategory category;
  return category;
}

std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), client_category()};
}

}  // namespace millrace::client
