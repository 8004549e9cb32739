#include "fetcher.h"

#include <boost/asio/post.hpp>
#include <map>

#include "deadline.h"
#include "millrace.pb.h"

namespace millrace::client::internal {

Fetcher::Fetcher(NetworkClient& network, const ConsumerConfig& config) : network_(network), config_(config) {}

void Fetcher::fetch(NodeId node, std::vector<FetchTarget> targets) {
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
  out.on_done = [this, node, targets](Result<ResponseFrame> frame) {
    on_response(node, targets, std::move(frame));
  };
  {
    std::lock_guard lock(mutex_);
    busy_.insert(node);
  }
  boost::asio::post(network_.io_context(),
                    [this, node, out = std::move(out)]() mutable { network_.send(node, std::move(out)); });
}

bool Fetcher::busy(NodeId node) const {
  std::lock_guard lock(mutex_);
  return busy_.contains(node);
}

bool Fetcher::wait(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return wait_until(arrived_, lock, deadline, [&] { return !completed_.empty(); });
}

std::vector<CompletedFetch> Fetcher::take() {
  std::lock_guard lock(mutex_);
  return std::exchange(completed_, {});
}

void Fetcher::on_response(NodeId node, const std::vector<FetchTarget>& targets, Result<ResponseFrame> frame) {
  std::vector<CompletedFetch> results;
  const auto fail_all = [&](const Error& error) {
    for (const auto& t : targets)
      results.push_back(CompletedFetch{t.partition, t.offset, error, -1, -1, {}, {}});
    complete(node, std::move(results));
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
    CompletedFetch c;
    c.partition = TopicPartition{r.topic(), PartitionId{r.partition()}};
    if (r.error_code() != 0)
      c.error = error_from_wire(r.error_code(), r.error_message(), c.partition.to_string(),
                                c.partition.to_string());
    c.high_watermark = r.high_watermark();
    c.log_start_offset = r.log_start_offset();
    c.frame = shared;
    c.records = payload.subspan(pos, r.records_bytes());
    pos += r.records_bytes();
    by_partition[c.partition] = std::move(c);
  }
  for (const auto& t : targets) {
    auto it = by_partition.find(t.partition);
    if (it == by_partition.end()) {
      results.push_back(
          CompletedFetch{t.partition,
                         t.offset,
                         make_error(errc::bad_response, "no fetch result for " + t.partition.to_string()),
                         -1,
                         -1,
                         {},
                         {}});
      continue;
    }
    it->second.fetch_offset = t.offset;
    results.push_back(std::move(it->second));
  }
  complete(node, std::move(results));
}

void Fetcher::complete(NodeId node, std::vector<CompletedFetch> results) {
  {
    std::lock_guard lock(mutex_);
    busy_.erase(node);
    for (auto& r : results) completed_.push_back(std::move(r));
  }
  arrived_.notify_all();
}

}  // namespace millrace::client::internal
