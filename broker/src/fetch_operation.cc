#include "millrace/broker/fetch_operation.h"

#include <algorithm>
#include <chrono>

#include "millrace/protocol/errc.h"

namespace millrace::broker {

void FetchOperation::start(boost::asio::io_context& io, PartitionManager& manager, FetchSpec spec,
                           Callback done) {
  auto op = std::make_shared<FetchOperation>(io, manager, std::move(spec), std::move(done));
  op->attempt(op->spec_.max_wait_ms <= 0);
}

FetchOperation::FetchOperation(boost::asio::io_context& io, PartitionManager& manager, FetchSpec spec,
                               Callback done)
    : manager_(manager), spec_(std::move(spec)), done_(std::move(done)), timer_(io) {
  spec_.max_wait_ms = std::min(spec_.max_wait_ms, kFetchMaxWaitMsLimit);
}

std::vector<FetchPartitionOutcome> FetchOperation::read_all(size_t& total_bytes, bool& any_error) {
  std::vector<FetchPartitionOutcome> outcomes;
  outcomes.reserve(spec_.partitions.size());
  const size_t response_limit = spec_.max_bytes > 0 ? static_cast<size_t>(spec_.max_bytes) : SIZE_MAX;
  total_bytes = 0;
  any_error = false;
  for (const auto& ps : spec_.partitions) {
    FetchPartitionOutcome out;
    auto partition = manager_.partition(ps.topic, ps.partition);
    if (!partition) {
      out.error = std::move(partition).error();
      any_error = true;
      outcomes.push_back(std::move(out));
      continue;
    }
    out.high_watermark = (*partition)->high_watermark();
    out.log_start_offset = (*partition)->log().log_start_offset();
    // Past the response limit, a partition gets nothing (unless nothing was returned yet: progress).
    const size_t remaining = total_bytes >= response_limit ? 0 : response_limit - total_bytes;
    if (remaining == 0 && total_bytes > 0) {
      outcomes.push_back(std::move(out));
      continue;
    }
    const size_t limit =
        std::min(remaining, ps.max_bytes > 0 ? static_cast<size_t>(ps.max_bytes) : remaining);
    auto read = (*partition)->read_ranges(ps.offset, std::max<size_t>(limit, 1));
    if (!read) {
      out.error = std::move(read).error();
      any_error = true;
    } else {
      out.records = std::move(read).value();
      total_bytes += out.records.size_bytes();
    }
    outcomes.push_back(std::move(out));
  }
  return outcomes;
}

void FetchOperation::attempt(bool final_attempt) {
  if (finished_) return;
  size_t total = 0;
  bool any_error = false;
  auto outcomes = read_all(total, any_error);
  const size_t min_bytes = static_cast<size_t>(std::max(spec_.min_bytes, 1));
  if (final_attempt || any_error || total >= min_bytes || manager_.shutting_down()) {
    finish(std::move(outcomes));
    return;
  }
  wait_for_data();
}

void FetchOperation::wait_for_data() {
  auto self = shared_from_this();
  if (waiters_.empty()) {
    timer_.expires_after(std::chrono::milliseconds(spec_.max_wait_ms));
    timer_.async_wait([self](const boost::system::error_code& ec) {
      if (!ec) self->attempt(true);
    });
  }
  // Re-register on every partition: data waiters are one-shot.
  for (auto& [weak, id] : waiters_) {
    if (auto p = weak.lock()) p->remove_data_waiter(id);
  }
  waiters_.clear();
  for (const auto& ps : spec_.partitions) {
    auto partition = manager_.partition(ps.topic, ps.partition);
    if (!partition) continue;
    const uint64_t id = (*partition)->add_data_waiter([self] { self->attempt(false); });
    waiters_.emplace_back(*partition, id);
  }
}

void FetchOperation::finish(std::vector<FetchPartitionOutcome> outcomes) {
  finished_ = true;
  timer_.cancel();
  for (auto& [weak, id] : waiters_) {
    if (auto p = weak.lock()) p->remove_data_waiter(id);
  }
  waiters_.clear();
  done_(std::move(outcomes));
}

}  // namespace millrace::broker
