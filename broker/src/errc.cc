#include "millrace/broker/errc.h"

#include <string>

namespace millrace::broker {
namespace {

class BrokerCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "millrace.broker"; }
  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::invalid_config:
        return "invalid configuration";
      case errc::listen_failed:
        return "cannot listen";
      case errc::data_dir_unusable:
        return "data directory unusable";
      case errc::metadata_store_failed:
        return "metadata store failed";
    }
    return "unknown broker error " + std::to_string(value);
  }
};

}  // namespace

const std::error_category& broker_category() noexcept {
  static const BrokerCategory category;
  return category;
}

std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), broker_category()};
}

}  // namespace millrace::broker
