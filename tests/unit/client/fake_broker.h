#pragma once
// FakeBroker: a scripted native-protocol server on 127.0.0.1 (an ephemeral port) for client unit tests.
// Every request frame goes to the handler, on the connection's own thread; whatever frame bytes it returns
// are written back (nothing: no response, as for acks=0). Stopping closes every connection.
#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "millrace.pb.h"
#include "millrace/protocol/bytes.h"
#include "millrace/protocol/frame.h"
#include "millrace/protocol/list_offsets.h"

namespace millrace::testing {

class FakeBroker {
 public:
  struct Request {
    protocol::ApiKey api_key;
    uint32_t correlation_id;
    ByteView body;
    ByteView payload;
    int connection = -1;  // the connection it came on: the same number for every request of one connection

    template <class Message>
    Message parse() const {
      Message m;
      m.ParseFromArray(body.data(), static_cast<int>(body.size()));
      return m;
    }
  };
  using Handler = std::function<std::optional<Buffer>(const Request&)>;

  explicit FakeBroker(Handler handler);
  ~FakeBroker();

  uint16_t port() const { return port_; }
  std::string bootstrap() const { return "127.0.0.1:" + std::to_string(port_); }

  // A response frame to `request` with `body` (and a payload).
  static Buffer respond(const Request& request, const google::protobuf::MessageLite& body,
                        ByteView payload = {});
  // Metadata naming this broker as node 0, controller, and leader of every partition of `topics`
  // (name -> partition count; a count of -1 reports the topic as UNKNOWN_TOPIC_OR_PARTITION).
  wire::MetadataResponse metadata(const std::vector<std::pair<std::string, int32_t>>& topics) const;
  // A list_offsets response to `request` for logs that start at 0: earliest 0, anything else
  // `log_end(partition)`.
  template <class LogEnd>
  static Buffer answer_list_offsets(const Request& request, LogEnd log_end) {
    const auto list = request.parse<wire::ListOffsetsRequest>();
    wire::ListOffsetsResponse response;
    for (const auto& p : list.partitions()) {
      auto* result = response.add_results();
      result->set_topic(p.topic());
      result->set_partition(p.partition());
      result->set_offset(p.timestamp() == protocol::kListOffsetsEarliest ? 0 : log_end(p.partition()));
    }
    return respond(request, response);
  }
  // A fetch response to `request`: for each partition asked for, the high watermark `high_watermark(p)` and
  // the record bytes `records(p, fetch_offset)` (a Buffer) in the payload, in request order.
  template <class HighWatermark, class Records>
  static Buffer answer_fetch(const Request& request, HighWatermark high_watermark, Records records) {
    const auto fetch = request.parse<wire::FetchRequest>();
    wire::FetchResponse response;
    Buffer payload;
    for (const auto& p : fetch.partitions()) {
      auto* result = response.add_results();
      result->set_topic(p.topic());
      result->set_partition(p.partition());
      result->set_high_watermark(high_watermark(p.partition()));
      const Buffer bytes = records(p.partition(), p.fetch_offset());
      result->set_records_bytes(static_cast<uint32_t>(bytes.size()));
      payload.insert(payload.end(), bytes.begin(), bytes.end());
    }
    return respond(request, response, payload);
  }
  // A produce response to `request` accepting every partition entry, each at base offset 0.
  static Buffer accept_produce(const Request& request);

 private:
  void accept_loop();
  void serve(int fd);

  Handler handler_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::vector<int> connection_fds_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace millrace::testing
