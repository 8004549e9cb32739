#pragma once
// Small request helpers over RawClient for integration tests (create topic, describe, produce raw batches).
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>

#include "millrace.pb.h"
#include "raw_client.h"

namespace millrace::testing {

inline uint32_t next_correlation_id() {
  static uint32_t id = 1000;
  return ++id;
}

// Sends a request and parses the response body into `Response`; throws on a missing or error frame.
template <class Response, class Request>
Response call(RawClient& client, protocol::ApiKey key, const Request& request, ByteView payload = {},
              RawResponse* raw_out = nullptr) {
  const uint32_t id = next_correlation_id();
  if (!client.send_request(key, id, request, payload)) throw std::runtime_error("send failed");
  auto raw = client.read_response();
  if (!raw) throw std::runtime_error("no response");
  if (raw->correlation_id != id) throw std::runtime_error("correlation id mismatch");
  if (raw->api_key != static_cast<uint16_t>(key)) {
    wire::ErrorResponse error;
    error.ParseFromString(raw->body);
    throw std::runtime_error("error response " + std::to_string(error.error_code()) + ": " +
                             error.error_message());
  }
  Response response;
  if (!response.ParseFromString(raw->body)) throw std::runtime_error("unparseable response body");
  if (raw_out != nullptr) *raw_out = std::move(*raw);
  return response;
}

wire::TopicResult create_topic(RawClient& client, const std::string& name, int32_t partitions,
                               const std::map<std::string, std::string>& configs = {});
wire::TopicDescription describe_topic(RawClient& client, const std::string& name);
// Produces `batches` (whole RecordBatch v2 bytes) to one partition.
wire::ProducePartitionResult produce(RawClient& client, const std::string& topic, int32_t partition,
                                     ByteView batches, int32_t acks = -1);
// A valid batch of `count` records with values "<prefix><i>", timestamped now.
Buffer make_batch(int count, const std::string& prefix = "v");

}  // namespace millrace::testing
