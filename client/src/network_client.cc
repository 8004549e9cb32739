#include "network_client.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <future>
#include <limits>

#include "millrace.pb.h"
#include "millrace/client/errc.h"

namespace millrace::client::internal {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

Result<std::unique_ptr<NetworkClient>> NetworkClient::create(const ConnectionConfig& config,
                                                             const char* thread_name) {
  if (auto st = validate(config); !st) return std::move(st).error();
  auto bootstrap = parse_bootstrap(config.bootstrap);
  if (!bootstrap) return std::move(bootstrap).error();
  return std::make_unique<NetworkClient>(config, std::move(*bootstrap), thread_name);
}

NetworkClient::NetworkClient(ConnectionConfig config, std::vector<BrokerAddress> bootstrap,
                             const char* thread_name)
    : io_thread_(thread_name), config_(std::move(config)), bootstrap_(std::move(bootstrap)) {}

NetworkClient::~NetworkClient() {
  shutdown();
}

void NetworkClient::shutdown(const std::function<void()>& first) {
  if (shut_down_) return;
  shut_down_ = true;
  io_thread_.stop([this, first] {
    if (first) first();
    const Error closed = make_error(errc::closed, "client closed");
    auto connections = std::move(connections_);
    connections_.clear();
    for (auto& [address, connection] : connections) connection->close(closed);
    metadata_backoff_timer_.reset();
    auto waiting = std::move(metadata_waiting_);
    auto next = std::move(metadata_next_);
    for (auto& done : waiting) done(closed);
    for (auto& done : next) done(closed);
  });
}

std::shared_ptr<BrokerConnection> NetworkClient::connection_for(const BrokerAddress& address) {
  auto& slot = connections_[address];
  if (!slot) slot = std::make_shared<BrokerConnection>(io_context(), address, config_);
  return slot;
}

std::shared_ptr<BrokerConnection> NetworkClient::least_loaded_connection() {
  // Candidates: the brokers the metadata knows, then the bootstrap addresses (in case advertised addresses
  // are unreachable from here).
  std::vector<BrokerAddress> candidates;
  for (const auto& [node, address] : metadata_.snapshot()->brokers) candidates.push_back(address);
  for (const auto& address : bootstrap_) {
    if (std::find(candidates.begin(), candidates.end(), address) == candidates.end())
      candidates.push_back(address);
  }
  std::shared_ptr<BrokerConnection> best;
  for (const auto& address : candidates) {  // a live connection with the fewest requests
    auto it = connections_.find(address);
    if (it == connections_.end() || !it->second->connected()) continue;
    if (!best || it->second->pending_count() < best->pending_count()) best = it->second;
  }
  if (best) return best;
  const auto now = Clock::now();
  for (size_t i = 0; i < candidates.size(); ++i) {  // else one not recently failed, rotating
    const BrokerAddress& address = candidates[(rotation_ + i) % candidates.size()];
    auto it = connections_.find(address);
    if (it == connections_.end() || !it->second->in_backoff(now)) {
      rotation_ = (rotation_ + i + 1) % candidates.size();
      return connection_for(address);
    }
  }
  return connection_for(candidates[rotation_++ % candidates.size()]);
}

void NetworkClient::send(Destination node, OutboundRequest request) {
  if (shut_down_ && connections_.empty()) {
    request.on_done(make_error(errc::closed, "client closed"));
    return;
  }
  if (!node) {
    least_loaded_connection()->send(std::move(request));
    return;
  }
  auto address = metadata_.snapshot()->address_of(*node);
  if (!address) {
    request.on_done(make_error(protocol::errc::broker_not_available,
                               "node " + std::to_string(node->value) + " is not in the cluster metadata"));
    return;
  }
  send_to(*address, std::move(request));
}

void NetworkClient::send_to(const BrokerAddress& address, OutboundRequest request) {
  if (shut_down_ && connections_.empty()) {
    request.on_done(make_error(errc::closed, "client closed"));
    return;
  }
  connection_for(address)->send(std::move(request));
}

void NetworkClient::request_metadata(const std::vector<std::string>& topics, MetadataDone done) {
  metadata_topics_.insert(topics.begin(), topics.end());
  if (metadata_in_flight_) {
    metadata_next_.push_back(std::move(done));
    return;
  }
  metadata_waiting_.push_back(std::move(done));
  start_metadata_round();
}

OutboundRequest NetworkClient::metadata_round_request() {
  wire::MetadataRequest request;
  for (const auto& topic : metadata_topics_) request.add_topics(topic);
  OutboundRequest out;
  out.api_key = protocol::ApiKey::metadata;
  out.body = request.SerializeAsString();
  out.timeout = std::chrono::milliseconds(config_.request_timeout_ms);
  out.on_done = [this](Result<ResponseFrame> frame) {
    auto waiting = std::move(metadata_waiting_);
    metadata_waiting_.clear();
    if (!frame && frame.error().code == protocol::errc::network_exception &&
        ++metadata_round_attempts_ < bootstrap_.size() + metadata_.snapshot()->brokers.size()) {
      // That broker is unreachable (and now in backoff): ask the next one at once.
      metadata_waiting_ = std::move(waiting);
      send(std::nullopt, metadata_round_request());
      return;
    }
    metadata_round_attempts_ = 0;
    if (!frame) {
      finish_metadata_round(frame.error(), std::move(waiting));
      return;
    }
    auto response = decode_response<wire::MetadataResponse>(*frame);
    if (!response) {
      finish_metadata_round(response.error(), std::move(waiting));
      return;
    }
    metadata_.apply(*response);
    finish_metadata_round(Status{}, std::move(waiting));
  };
  return out;
}

void NetworkClient::start_metadata_round() {
  metadata_in_flight_ = true;
  const auto retry_at = metadata_failed_at_ + std::chrono::milliseconds(config_.reconnect_backoff_ms);
  if (Clock::now() < retry_at) {
    metadata_backoff_timer_ = std::make_unique<asio::steady_timer>(io_context(), retry_at);
    metadata_backoff_timer_->async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      metadata_failed_at_ = {};
      start_metadata_round();
    });
    return;
  }
  send(std::nullopt, metadata_round_request());
}

void NetworkClient::finish_metadata_round(const Status& status, std::vector<MetadataDone> waiting) {
  if (!status) {
    metadata_.note_failure(status.error());
    metadata_failed_at_ = Clock::now();
  }
  metadata_in_flight_ = false;
  for (auto& done : waiting) done(status);
  if (!metadata_in_flight_ && !metadata_next_.empty() && !shut_down_) {
    metadata_waiting_ = std::move(metadata_next_);
    metadata_next_.clear();
    start_metadata_round();
  }
}

Result<ResponseFrame> NetworkClient::call(Destination node, protocol::ApiKey api_key,
                                          const google::protobuf::MessageLite& body,
                                          std::chrono::milliseconds extra_timeout) {
  if (shut_down_) return make_error(errc::closed, "client closed");
  // "Any broker": a broker that cannot be reached is put in backoff and the next attempt picks another, so
  // one dead bootstrap address does not fail the call while others are listed.
  const size_t attempts =
      node ? 1 : std::max<size_t>(1, bootstrap_.size() + metadata_.snapshot()->brokers.size());
  Result<ResponseFrame> result = make_error(errc::closed, "no attempt made");
  for (size_t attempt = 0; attempt < attempts; ++attempt) {
    auto promise = std::make_shared<std::promise<Result<ResponseFrame>>>();
    auto future = promise->get_future();
    OutboundRequest out;
    out.api_key = api_key;
    out.body = body.SerializeAsString();
    out.timeout = std::chrono::milliseconds(config_.request_timeout_ms) + extra_timeout;
    out.on_done = [promise](Result<ResponseFrame> frame) { promise->set_value(std::move(frame)); };
    asio::post(io_context(), [this, node, out = std::move(out)]() mutable { send(node, std::move(out)); });
    result = future.get();
    if (result || result.error().code != protocol::errc::network_exception) break;
  }
  return result;
}

Status NetworkClient::refresh_metadata(const std::vector<std::string>& topics) {
  if (shut_down_) return make_error(errc::closed, "client closed");
  auto promise = std::make_shared<std::promise<Status>>();
  auto future = promise->get_future();
  asio::post(io_context(), [this, topics, promise] {
    request_metadata(topics, [promise](const Status& status) { promise->set_value(status); });
  });
  return future.get();
}

}  // namespace millrace::client::internal
