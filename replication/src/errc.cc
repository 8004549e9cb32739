#include "millrace/replication/errc.h"

#include <string>

namespace millrace::replication {
namespace {

class ReplicationCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "millrace.replication"; }
  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::not_leader:
        return "not the leader";
      case errc::leadership_transfer_in_progress:
        return "leadership transfer in progress";
      case errc::configuration_change_in_progress:
        return "a configuration change is in progress";
      case errc::invalid_configuration_change:
        return "invalid configuration change";
      case errc::learner_not_caught_up:
        return "learner has not caught up";
      case errc::invalid_batch:
        return "invalid record batch";
      case errc::too_many_uncommitted_bytes:
        return "too many uncommitted bytes";
      case errc::offset_out_of_range:
        return "offset out of range";
      case errc::invalid_argument:
        return "invalid argument";
    }
    return "unknown replication error " + std::to_string(value);
  }
};

}  // namespace

const std::error_category& replication_category() noexcept {
  static const ReplicationCategory category;
  return category;
}

std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), replication_category()};
}

}  // namespace millrace::replication
