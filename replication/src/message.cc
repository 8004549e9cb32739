#include "millrace/replication/message.h"

namespace millrace::replication {

Term Message::term() const {
  return std::visit([](const auto& b) { return b.term; }, body);
}

std::string_view Message::type_name() const {
  constexpr std::string_view kNames[] = {"VoteRequest",    "VoteResponse",    "AppendRequest",
                                         "AppendResponse", "SnapshotRequest", "SnapshotResponse",
                                         "TimeoutNow"};
  return kNames[body.index()];
}

size_t Message::entry_bytes() const {
  const auto* request = std::get_if<AppendRequest>(&body);
  if (request == nullptr) return 0;
  size_t bytes = 0;
  for (const Entry& entry : request->entries) bytes += entry.size_bytes();
  return bytes;
}

}  // namespace millrace::replication
