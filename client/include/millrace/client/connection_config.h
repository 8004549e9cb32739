#pragma once
// ConnectionConfig: how a client object (Producer, Consumer, Admin) reaches the cluster. Each client object
// owns one background I/O thread and one TCP connection per broker it talks to.
#include <cstdint>
#include <string>

#include "millrace/client/broker_address.h"
#include "millrace/protocol/frame_format.h"
#include "millrace/protocol/result.h"

namespace millrace::client {

struct ConnectionConfig {
  // "host:port[,host:port...]": where to fetch the first metadata from.
  std::string bootstrap{kDefaultBootstrap};
  // A request without a response after this long fails with REQUEST_TIMED_OUT and its connection is closed
  // (responses arrive in order, so a stuck request blocks the ones behind it). Fetches add their max wait.
  int32_t request_timeout_ms = 30000;
  // Resolving and connecting to one broker may take this long before NETWORK_EXCEPTION.
  int32_t connect_timeout_ms = 10000;
  // After a failed connect, the next attempt to the same broker waits this long.
  int32_t reconnect_backoff_ms = 100;
  // Cached metadata older than this is refreshed before use.
  int32_t metadata_max_age_ms = 300000;
  // Responses larger than this close the connection (the broker's default limit).
  uint32_t max_frame_bytes = protocol::frame_format::kDefaultMaxFrameBytes;
};

// Checks every field: timeouts positive, bootstrap parses. Errors name the field
// (client::errc::invalid_config).
Status validate(const ConnectionConfig& config);

}  // namespace millrace::client
