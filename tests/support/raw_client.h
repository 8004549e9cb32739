#pragma once
// RawClient: a blocking, frame-level native-protocol client for tests that must send exactly the bytes they
// choose (garbage, truncated and oversized frames) and read raw responses. Not the client library.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "millrace/protocol/bytes.h"
#include "millrace/protocol/frame_format.h"

namespace google::protobuf {
class MessageLite;
}

namespace millrace::testing {

struct RawResponse {
  uint16_t api_key = 0;
  uint32_t correlation_id = 0;
  std::string body;
  std::string payload;
};

class RawClient {
 public:
  // Connects to 127.0.0.1:port; every receive waits at most `timeout`.
  explicit RawClient(uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool send_bytes(ByteView bytes);
  bool send_request(protocol::ApiKey key, uint32_t correlation_id, const google::protobuf::MessageLite& body,
                    ByteView payload = {});
  // Reads one response frame; nullopt if the connection closed or timed out first.
  std::optional<RawResponse> read_response();
  // True if the broker closed the connection (read returns EOF/reset) within the timeout.
  bool closed_by_peer();

 private:
  bool read_exact(char* out, size_t n);
  int fd_ = -1;
};

}  // namespace millrace::testing
