#include "fetcher.h"

#include <boost/asio/post.hpp>
#include <cassert>
#include <map>

#include "deadline.h"
#include "fetched_batches.h"
#include "millrace.pb.h"

namespace millrace::client::internal {

Fetcher::Fetcher(std::vector<NetworkClient*> lanes, const ConsumerConfig& config)
    : lanes_(std::move(lanes)), config_(config) {
  assert(!lanes_.empty());
}

void Fetcher::fetch(NodeId node, const BrokerAddress& address, size_t lane, std::vector<FetchTarget> targets,
                    bool decode_on_io) {
  assert(lane < lanes_.size());
  wire::FetchRequest request;
  request.set_max_wait_ms(config_.fetch_max_wait_ms);
  request.set_min_bytes(config_.fetch_min_bytes);
  request.set_max_bytes(config_.fetch_max_bytes);
  for (const auto& t : targets) {
    auto* p = request.add_partitions();
    p->set_topic(t.partition.topic);
    p->set_partition(t.partition.partition.value);
    p->set_fetch_offset(t.offset);
    p->set_max_bytes(config_.max_partition_fetch_bytes);
  }
  OutboundRequest out;
  out.api_key = protocol::ApiKey::fetch;
  out.body = request.SerializeAsString();
  out.timeout =
      std::chrono::milliseconds(int64_t{config_.connection.request_timeout_ms} + config_.fetch_max_wait_ms);
  out.on_done = [this, node, lane, targets, decode_on_io](Result<ResponseFrame> frame) {
    on_response(Lane{node, lane}, targets, decode_on_io, std::move(frame));
  };
  {
    std::lock_guard lock(mutex_);
    busy_.insert(Lane{node, lane});
  }
  NetworkClient& network = *lanes_[lane];
  boost::asio::post(network.io_context(), [&network, address, out = std::move(out)]() mutable {
    network.send_to(address, std::move(out));
  });
}

bool Fetcher::busy(NodeId node, size_t lane) const {
  std::lock_guard lock(mutex_);
  return busy_.contains(Lane{node, lane});
}

bool Fetcher::wait(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return wait_until(arrived_, lock, deadline, [&] { return !completed_.empty(); });
}

std::vector<CompletedFetch> Fetcher::take() {
  std::lock_guard lock(mutex_);
  return std::exchange(completed_, {});
}

namespace {

CompletedFetch failed(const FetchTarget& target, Error error) {
  CompletedFetch c;
  c.partition = target.partition;
  c.fetch_offset = target.offset;
  c.error = std::move(error);
  return c;
}

}  // namespace

void Fetcher::on_response(Lane lane, const std::vector<FetchTarget>& targets, bool decode_on_io,
                          Result<ResponseFrame> frame) {
  std::vector<CompletedFetch> results;
  const auto fail_all = [&](const Error& error) {
    for (const auto& t : targets) results.push_back(failed(t, error));
    complete(lane, std::move(results));
  };
  if (!frame) return fail_all(frame.error());
  auto response = decode_response<wire::FetchResponse>(*frame);
  if (!response) return fail_all(response.error());
  auto shared = std::make_shared<const ResponseFrame>(std::move(*frame));
  const ByteView payload = shared->payload();
  std::map<TopicPartition, CompletedFetch> by_partition;
  size_t pos = 0;
  for (const auto& r : response->results()) {
    if (r.records_bytes() > payload.size() - pos) {
      return fail_all(
          make_error(errc::bad_response, "fetch response payload is shorter than its records_bytes"));
    }
    TopicPartition partition{r.topic(), PartitionId{r.partition()}};
    CompletedFetch& c = by_partition[partition];
    c = CompletedFetch{};  // a partition named twice: the last result counts
    c.partition = std::move(partition);
    if (r.error_code() != 0)
      c.error = error_from_wire(r.error_code(), r.error_message(), c.partition.to_string(),
                                c.partition.to_string());
    c.high_watermark = r.high_watermark();
    c.log_start_offset = r.log_start_offset();
    c.frame = shared;
    c.batches = payload.subspan(pos, r.records_bytes());
    pos += r.records_bytes();
  }
  for (const auto& t : targets) {
    auto it = by_partition.find(t.partition);
    if (it == by_partition.end()) {
      results.push_back(
          failed(t, make_error(errc::bad_response, "no fetch result for " + t.partition.to_string())));
      continue;
    }
    CompletedFetch& c = it->second;
    c.fetch_offset = t.offset;
    if (!c.error) {
      if (decode_on_io) {
        decode(c);
      } else {  // the consumer's thread decodes it; the next fetch starts where the whole batches end
        c.next_offset = peek_next_offset(c.batches, t.offset).value_or(t.offset);
      }
    }
    results.push_back(std::move(c));
  }
  complete(lane, std::move(results));
}

void Fetcher::decode(CompletedFetch& result) {
  if (result.decoded) return;
  result.decoded = true;
  result.records = spare_records_.take(0);
  auto next_offset = read_fetched_batches(result.batches, result.fetch_offset, result.records);
  if (!next_offset) {
    result.records.clear();
    result.next_offset = result.fetch_offset;
    result.decode_error =
        Error{next_offset.error().code, result.partition.to_string() + ": " + next_offset.error().message};
    return;
  }
  result.next_offset = *next_offset;
}

void Fetcher::complete(Lane lane, std::vector<CompletedFetch> results) {
  {
    std::lock_guard lock(mutex_);
    busy_.erase(lane);
    for (auto& r : results) completed_.push_back(std::move(r));
  }
  arrived_.notify_all();
}

}  // namespace millrace::client::internal
