#pragma once
// NetworkClient: everything one client object (Producer, Consumer or Admin) uses to talk to the cluster —
// its I/O thread, one BrokerConnection per broker address, the bootstrap list and the metadata cache.
//
// Contract:
//  - "I/O thread only" methods must run on io_context()'s thread (post to it from elsewhere).
//  - call() and refresh_metadata() block: call them from any thread except the I/O thread.
//  - shutdown() fails every outstanding request with client::errc::closed (their handlers run), then stops
//    and joins the I/O thread. The destructor calls it. It must not race with call() from another thread.
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "broker_connection.h"
#include "io_thread.h"
#include "metadata_cache.h"
#include "millrace/client/connection_config.h"
#include "outbound_request.h"
#include "wire_codec.h"

namespace google::protobuf {
class MessageLite;
}

namespace millrace::client::internal {

class NetworkClient {
 public:
  using Destination = std::optional<NodeId>;  // nullopt: any broker
  using MetadataDone = std::function<void(const Status&)>;

  // `thread_name` names the I/O thread (see IoThread).
  static Result<std::unique_ptr<NetworkClient>> create(const ConnectionConfig& config,
                                                       const char* thread_name);
  NetworkClient(ConnectionConfig config, std::vector<BrokerAddress> bootstrap, const char* thread_name);
  ~NetworkClient();

  boost::asio::io_context& io_context() { return io_thread_.context(); }
  bool in_io_thread() const { return io_thread_.in_io_thread(); }
  const ConnectionConfig& config() const { return config_; }
  MetadataCache& metadata() { return metadata_; }

  // I/O thread only. Sends to the broker `node` (by its metadata address) or to the least loaded reachable
  // one.
  void send(Destination node, OutboundRequest request);
  // I/O thread only. Sends to the broker at `address` (a node's address taken from another client's
  // metadata).
  void send_to(const BrokerAddress& address, OutboundRequest request);
  // I/O thread only. Refreshes metadata for every topic asked for so far plus `topics` (empty and never asked
  // for any: all topics). Concurrent asks share one request; `done` runs after the cache is updated.
  // After a failed attempt the next one waits retry backoff (reconnect_backoff_ms).
  void request_metadata(const std::vector<std::string>& topics, MetadataDone done);

  // Blocking request/response. The timeout is the connection's request timeout plus `extra_timeout`.
  Result<ResponseFrame> call(Destination node, protocol::ApiKey api_key,
                             const google::protobuf::MessageLite& body,
                             std::chrono::milliseconds extra_timeout = std::chrono::milliseconds(0));
  template <class Response>
  Result<Response> call_and_decode(Destination node, protocol::ApiKey api_key,
                                   const google::protobuf::MessageLite& body) {
    auto frame = call(node, api_key, body);
    if (!frame) return std::move(frame).error();
    return decode_response<Response>(*frame);
  }
  // Blocking metadata refresh (see request_metadata).
  Status refresh_metadata(const std::vector<std::string>& topics);

  // Runs `first` on the I/O thread (e.g. to stop timers that would send more), fails every outstanding
  // request with client::errc::closed, stops and joins the I/O thread. Idempotent; not from the I/O thread.
  void shutdown(const std::function<void()>& first = {});

 private:
  std::shared_ptr<BrokerConnection> connection_for(const BrokerAddress& address);
  std::shared_ptr<BrokerConnection> least_loaded_connection();
  void start_metadata_round();
  OutboundRequest metadata_round_request();
  void finish_metadata_round(const Status& status, std::vector<MetadataDone> waiting);

  IoThread io_thread_;  // first: destroyed last, after shutdown() joined it and cleared the I/O state below
  ConnectionConfig config_;
  std::vector<BrokerAddress> bootstrap_;
  MetadataCache metadata_;
  // I/O thread state:
  std::map<BrokerAddress, std::shared_ptr<BrokerConnection>> connections_;
  size_t rotation_ = 0;
  std::set<std::string> metadata_topics_;
  bool metadata_in_flight_ = false;
  size_t metadata_round_attempts_ = 0;          // brokers tried in this round (unreachable ones are skipped)
  std::vector<MetadataDone> metadata_waiting_;  // for the round in flight
  std::vector<MetadataDone> metadata_next_;     // for the round after it
  std::chrono::steady_clock::time_point metadata_failed_at_{};
  std::unique_ptr<boost::asio::steady_timer> metadata_backoff_timer_;
  std::atomic<bool> shut_down_{false};
};

}  // namespace millrace::client::internal
