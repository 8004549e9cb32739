#include "millrace/client/consumer.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <map>
#include <set>

#include "consumer_partition.h"
#include "consumer_records_access.h"
#include "deadline.h"
#include "fetcher.h"
#include "millrace/client/errc.h"
#include "millrace/protocol/errc.h"
#include "millrace/protocol/list_offsets.h"
#include "network_client.h"
#include "offset_lookup.h"

namespace millrace::client {

using internal::ConsumerPartition;
using internal::SteadyClock;

namespace {

bool is_retriable(const Error& error) {
  return error.code.category() == protocol::protocol_category() &&
         protocol::is_retriable(static_cast<protocol::errc>(error.code.value()));
}

ConsumerRecordView to_view(const std::string& topic, PartitionId partition, const protocol::RecordView& r) {
  return ConsumerRecordView{topic, partition, Offset{r.offset}, r.key, r.value, r.headers, r.timestamp_ms};
}

}  // namespace

// Consumer::Impl: assignment, positions and the poll loop; the Fetcher does the I/O.
class Consumer::Impl {
 public:
  // `network` carries every request; `fetch_only` (fetch_connections - 1 of them) carry fetches too.
  Impl(ConsumerConfig config, std::unique_ptr<internal::NetworkClient> network,
       std::vector<std::unique_ptr<internal::NetworkClient>> fetch_only)
      : config_(std::move(config)),
        network_(std::move(network)),
        fetch_only_(std::move(fetch_only)),
        fetcher_(fetch_lanes(), config_) {}
  ~Impl() { close(); }

  Status assign(const std::vector<TopicPartition>& partitions);
  Status assign_topic(const std::string& topic);
  std::vector<TopicPartition> assignment() const;
  Status seek(const TopicPartition& tp, Offset offset);
  Status seek_to(const std::vector<TopicPartition>& partitions, OffsetReset where);
  Result<Offset> position(const TopicPartition& tp);
  Result<ConsumerRecords> poll_views(std::chrono::milliseconds timeout);
  void close();

 private:
  Status check_open() const;
  // Resolves pending resets (and missing positions) due now; `only` limits it to one partition.
  Status resolve_positions(const TopicPartition* only);
  Status absorb(std::vector<internal::CompletedFetch> completed);
  // Moves the partition's arrived result into its buffered records, or returns why it could not be read.
  Status take_up(ConsumerPartition& state);
  // The fetched-ahead results of partitions whose buffered records have all been returned.
  std::vector<internal::CompletedFetch> take_prefetched();
  // Hands out up to max_poll_records buffered records, taking results up as it reaches their partitions.
  Status drain(ConsumerRecords& out);
  // Sends fetches for fetchable partitions; returns whether some partition is waiting on something other than
  // a fetch in flight (metadata, backoff), so the caller should not sleep long.
  bool send_fetches();
  void request_metadata();
  std::vector<internal::NetworkClient*> fetch_lanes() const;

  const ConsumerConfig config_;
  std::unique_ptr<internal::NetworkClient> network_;
  std::vector<std::unique_ptr<internal::NetworkClient>> fetch_only_;
  internal::Fetcher fetcher_;
  std::map<TopicPartition, ConsumerPartition> partitions_;
  size_t drain_start_ = 0;     // rotates so that no partition starves the others
  size_t fetch_rotation_ = 0;  // likewise for the order of partitions in a fetch request
  int64_t metadata_requested_ms_ = 0;
  std::optional<Error> deferred_error_;  // a decode error met after some records were handed out
  // The view array of a poll's ConsumerRecords comes back here when the application drops them, for the next
  // poll: a poll's views (up to max_poll_records of them) are too large to allocate afresh each time.
  std::shared_ptr<internal::SpareViewArrays> spare_views_ = std::make_shared<internal::SpareViewArrays>();
  bool closed_ = false;
};

Status Consumer::Impl::check_open() const {
  if (closed_) return make_error(errc::closed, "consumer is closed");
  return {};
}

Status Consumer::Impl::assign(const std::vector<TopicPartition>& partitions) {
  if (auto st = check_open(); !st) return st;
  std::map<TopicPartition, ConsumerPartition> next;
  for (const auto& tp : partitions) {
    if (tp.topic.empty() || tp.partition.value < 0) {
      return make_error(errc::invalid_argument, "invalid partition '" + tp.to_string() + "'");
    }
    auto it = partitions_.find(tp);
    next[tp] = it != partitions_.end() ? std::move(it->second) : ConsumerPartition{};
  }
  partitions_ = std::move(next);
  std::set<std::string> topics;
  for (const auto& [tp, state] : partitions_) topics.insert(tp.topic);
  boost::asio::post(network_->io_context(),
                    [this, topics = std::vector<std::string>(topics.begin(), topics.end())] {
                      network_->request_metadata(topics, [](const Status&) {});
                    });
  return {};
}

Status Consumer::Impl::assign_topic(const std::string& topic) {
  if (auto st = check_open(); !st) return st;
  if (auto st = network_->refresh_metadata({topic}); !st) return st;
  const auto metadata = network_->metadata().snapshot();
  const internal::TopicInfo* info = metadata->topic(topic);
  if (info == nullptr) return make_error(protocol::errc::unknown_topic_or_partition, "topic '" + topic + "'");
  if (info->error != protocol::errc::none) {
    return internal::error_from_wire(static_cast<int32_t>(info->error), info->error_message,
                                     "topic '" + topic + "'", topic);
  }
  std::vector<TopicPartition> all;
  for (const auto& p : info->partitions) all.push_back(TopicPartition{topic, p.partition});
  return assign(all);
}

std::vector<TopicPartition> Consumer::Impl::assignment() const {
  std::vector<TopicPartition> out;
  for (const auto& [tp, state] : partitions_) out.push_back(tp);
  return out;
}

Status Consumer::Impl::seek(const TopicPartition& tp, Offset offset) {
  if (auto st = check_open(); !st) return st;
  auto it = partitions_.find(tp);
  if (it == partitions_.end()) return make_error(errc::not_assigned, tp.to_string());
  if (offset.value < 0)
    return make_error(errc::invalid_argument, "negative offset " + std::to_string(offset.value));
  ConsumerPartition& state = it->second;
  state.position = offset.value;
  state.pending_reset.reset();
  state.retry_at_ms = 0;
  state.clear_buffer();
  return {};
}

Status Consumer::Impl::seek_to(const std::vector<TopicPartition>& partitions, OffsetReset where) {
  if (auto st = check_open(); !st) return st;
  for (const auto& tp : partitions) {
    if (!partitions_.contains(tp)) return make_error(errc::not_assigned, tp.to_string());
  }
  for (auto& [tp, state] : partitions_) {
    if (!partitions.empty() && std::find(partitions.begin(), partitions.end(), tp) == partitions.end())
      continue;
    state.pending_reset = where;
    state.retry_at_ms = 0;
    state.clear_buffer();
  }
  return {};
}

Result<Offset> Consumer::Impl::position(const TopicPartition& tp) {
  if (auto st = check_open(); !st) return std::move(st).error();
  auto it = partitions_.find(tp);
  if (it == partitions_.end()) return make_error(errc::not_assigned, tp.to_string());
  it->second.retry_at_ms = 0;
  if (auto st = resolve_positions(&tp); !st) return std::move(st).error();
  if (!it->second.position)
    return make_error(protocol::errc::leader_not_available, "no position yet for " + tp.to_string());
  return Offset{*it->second.position};
}

Status Consumer::Impl::resolve_positions(const TopicPartition* only) {
  const int64_t now_ms = internal::steady_now_ms();
  std::map<OffsetReset, std::vector<TopicPartition>> wanted;
  for (auto& [tp, state] : partitions_) {
    if (only != nullptr && tp != *only) continue;
    if (state.retry_at_ms > now_ms) continue;
    if (!state.pending_reset && !state.position) {
      if (config_.auto_offset_reset == OffsetReset::none) {
        return make_error(protocol::errc::offset_out_of_range,
                          tp.to_string() + " has no position and auto_offset_reset is none: seek() it first");
      }
      state.pending_reset = config_.auto_offset_reset;
    }
    if (state.pending_reset) wanted[*state.pending_reset].push_back(tp);
  }
  for (const auto& [where, tps] : wanted) {
    const int64_t timestamp =
        where == OffsetReset::earliest ? protocol::kListOffsetsEarliest : protocol::kListOffsetsLatest;
    auto offsets = internal::lookup_offsets(*network_, tps, timestamp);
    if (!offsets) {
      if (only != nullptr || !is_retriable(offsets.error())) return std::move(offsets).error();
      for (const auto& tp : tps) partitions_[tp].retry_at_ms = now_ms + config_.retry_backoff_ms;
      request_metadata();
      continue;
    }
    for (const auto& [tp, offset] : *offsets) {
      ConsumerPartition& state = partitions_[tp];
      state.position = offset.value;
      state.pending_reset.reset();
      state.clear_buffer();
    }
  }
  return {};
}

Status Consumer::Impl::absorb(std::vector<internal::CompletedFetch> completed) {
  Status first_error;
  const int64_t now_ms = internal::steady_now_ms();
  for (auto& c : completed) {
    auto it = partitions_.find(c.partition);
    if (it == partitions_.end()) continue;  // unassigned meanwhile
    ConsumerPartition& state = it->second;
    state.fetch_in_flight = false;
    if (state.has_records()) {
      // Fetched ahead: taken up once the partition's records are returned (take_prefetched()).
      if (!state.prefetched && !state.pending_reset && c.fetch_offset == state.buffered_next_offset)
        state.prefetched = std::move(c);
      continue;
    }
    const bool stale = !state.position || *state.position != c.fetch_offset || state.pending_reset;
    if (stale) continue;  // seek()ed meanwhile
    if (c.error) {
      if (c.error->code == protocol::errc::offset_out_of_range &&
          config_.auto_offset_reset != OffsetReset::none) {
        state.pending_reset = config_.auto_offset_reset;
      } else if (is_retriable(*c.error)) {
        state.retry_at_ms = now_ms + config_.retry_backoff_ms;
        request_metadata();
      } else if (first_error.ok()) {
        Error e = *c.error;
        if (e.code == protocol::errc::offset_out_of_range && e.message == c.partition.to_string()) {
          e.message += ": fetch offset " + std::to_string(c.fetch_offset) + ", log " +
                       std::to_string(c.log_start_offset) + ".." + std::to_string(c.high_watermark);
        }
        first_error = std::move(e);
      }
      continue;
    }
    // The next fetch starts after this result, and goes out while its records are handed out.
    state.buffered_next_offset = c.next_offset;
    state.arrived = std::move(c);
  }
  return first_error;
}

Status Consumer::Impl::take_up(ConsumerPartition& state) {
  if (!state.arrived) return {};
  internal::CompletedFetch c = std::move(*state.arrived);
  state.arrived.reset();
  fetcher_.decode(c);
  if (c.decode_error) {
    // Nothing of this result is returned; a fetch sent ahead from beyond it no longer matches the position.
    state.buffered.clear();
    state.buffered_next_offset = c.fetch_offset;  // the position stays before the bad batch
    state.prefetched.reset();
    return *c.decode_error;
  }
  state.buffered.assign(c.records, std::move(c.frame));
  fetcher_.recycle(std::move(c.records));
  state.buffered_next_offset = c.next_offset;
  if (state.buffered.empty()) state.position = std::max(*state.position, state.buffered_next_offset);
  return {};
}

std::vector<internal::CompletedFetch> Consumer::Impl::take_prefetched() {
  std::vector<internal::CompletedFetch> out;
  for (auto& [tp, state] : partitions_) {
    if (state.prefetched && !state.has_records()) {
      out.push_back(std::move(*state.prefetched));
      state.prefetched.reset();
    }
  }
  return out;
}

Status Consumer::Impl::drain(ConsumerRecords& out) {
  using Access = internal::ConsumerRecordsAccess;
  const auto limit = static_cast<size_t>(config_.max_poll_records);
  Status first_error;
  if (partitions_.empty()) return first_error;
  size_t available = 0;
  for (const auto& [tp, state] : partitions_) available += state.buffered.size();
  const size_t have = Access::size(out);
  Access::reserve(out, have + std::min(available, limit - std::min(limit, have)));
  drain_start_ %= partitions_.size();
  auto start = std::next(partitions_.begin(), static_cast<ptrdiff_t>(drain_start_));
  auto it = start;
  do {
    auto& [tp, state] = *it;
    if (state.arrived && Access::size(out) < limit) {
      if (auto st = take_up(state); !st && first_error.ok()) first_error = std::move(st);
    }
    if (!state.buffered.empty() && Access::size(out) < limit) {
      if (!state.topic) state.topic = std::make_shared<const std::string>(tp.topic);
      Access::keep(out, state.topic);
      Access::keep(out, state.buffered.frame());
    }
    while (!state.buffered.empty() && Access::size(out) < limit) {
      state.position = state.buffered.front().offset + 1;
      Access::push(out, to_view(*state.topic, tp.partition, state.buffered.front()));
      state.buffered.pop_front();
    }
    if (!state.has_records() && state.position)
      state.position = std::max(*state.position, state.buffered_next_offset);
    if (++it == partitions_.end()) it = partitions_.begin();
  } while (it != start && Access::size(out) < limit);
  if (Access::size(out) > have) ++drain_start_;
  return first_error;
}

bool Consumer::Impl::send_fetches() {
  const int64_t now_ms = internal::steady_now_ms();
  const auto metadata = network_->metadata().snapshot();
  // Keyed by broker and lane: the partitions of the assignment take the lanes in turn, always the same one.
  std::map<std::pair<NodeId, size_t>, std::vector<internal::FetchTarget>> by_lane;
  bool waiting = false;
  size_t index = 0;
  for (auto& [tp, state] : partitions_) {
    const size_t lane = index++ % fetcher_.lanes();
    if (!state.fetchable(now_ms)) {
      waiting = waiting || (!state.fetch_in_flight && !state.has_records());
      continue;
    }
    auto leader = metadata->leader_of(tp);
    if (!leader) {
      waiting = true;
      request_metadata();
      continue;
    }
    if (fetcher_.busy(*leader, lane)) continue;
    by_lane[{*leader, lane}].push_back(internal::FetchTarget{tp, state.next_fetch_offset()});
  }
  // Checking and decoding the records runs on the I/O threads when more than one of them reads responses;
  // otherwise on this thread (take_up()), beside the one I/O thread reading the next response.
  const bool decode_on_io = std::min(fetcher_.lanes(), partitions_.size()) > 1;
  for (auto& [key, targets] : by_lane) {
    const auto [node, lane] = key;
    const auto address = metadata->address_of(node);
    if (!address) {  // a leader the metadata has no address for: ask again
      waiting = true;
      request_metadata();
      continue;
    }
    for (const auto& t : targets) partitions_[t.partition].fetch_in_flight = true;
    // The broker fills a response in request order up to fetch_max_bytes: a fixed order would let the first
    // partitions starve the others whenever they keep that much data waiting. Rotate, as Kafka's consumer.
    std::rotate(targets.begin(), targets.begin() + static_cast<ptrdiff_t>(fetch_rotation_ % targets.size()),
                targets.end());
    ++fetch_rotation_;
    fetcher_.fetch(node, *address, lane, std::move(targets), decode_on_io);
  }
  return waiting;
}

std::vector<internal::NetworkClient*> Consumer::Impl::fetch_lanes() const {
  std::vector<internal::NetworkClient*> lanes{network_.get()};
  for (const auto& network : fetch_only_) lanes.push_back(network.get());
  return lanes;
}

void Consumer::Impl::request_metadata() {
  const int64_t now_ms = internal::steady_now_ms();
  if (now_ms - metadata_requested_ms_ < config_.retry_backoff_ms) return;
  metadata_requested_ms_ = now_ms;
  std::set<std::string> topics;
  for (const auto& [tp, state] : partitions_) topics.insert(tp.topic);
  boost::asio::post(network_->io_context(),
                    [this, topics = std::vector<std::string>(topics.begin(), topics.end())] {
                      network_->request_metadata(topics, [](const Status&) {});
                    });
}

Result<ConsumerRecords> Consumer::Impl::poll_views(std::chrono::milliseconds timeout) {
  if (auto st = check_open(); !st) return std::move(st).error();
  if (deferred_error_) return *std::exchange(deferred_error_, std::nullopt);
  const auto deadline = internal::deadline_after(timeout);
  ConsumerRecords out;
  internal::ConsumerRecordsAccess::use_spares(out, spare_views_);
  while (true) {
    if (auto st = resolve_positions(nullptr); !st) return std::move(st).error();
    if (auto st = absorb(fetcher_.take()); !st) return std::move(st).error();
    if (auto st = absorb(take_prefetched()); !st) return std::move(st).error();
    // Fetch first: the next fetches travel (and are checked and decoded) while drain() hands records out.
    const bool waiting = send_fetches();
    if (auto st = drain(out); !st) {
      // Records already handed to `out` have moved their positions: return them, and the error next time.
      if (out.empty()) return std::move(st).error();
      deferred_error_ = std::move(st).error();
    }
    const auto now = SteadyClock::now();
    if (!out.empty() || now >= deadline) return out;
    // A partition drained without records (control batches only) may have its next result waiting.
    if (std::any_of(partitions_.begin(), partitions_.end(),
                    [](const auto& p) { return p.second.prefetched && !p.second.has_records(); }))
      continue;
    auto wake_at = deadline;
    if (waiting)
      wake_at = std::min(wake_at, now + std::chrono::milliseconds(std::max(config_.retry_backoff_ms, 1)));
    fetcher_.wait(wake_at);
  }
}

void Consumer::Impl::close() {
  if (closed_) return;
  closed_ = true;
  network_->shutdown();
  for (auto& network : fetch_only_) network->shutdown();
}

Result<std::unique_ptr<Consumer>> Consumer::create(ConsumerConfig config) {
  if (auto st = validate(config); !st) return std::move(st).error();
  auto network = internal::NetworkClient::create(config.connection, "millrace-cons");
  if (!network) return std::move(network).error();
  std::vector<std::unique_ptr<internal::NetworkClient>> fetch_only;
  for (int32_t i = 1; i < config.fetch_connections; ++i) {
    auto more = internal::NetworkClient::create(config.connection, "millrace-fetch");
    if (!more) return std::move(more).error();
    fetch_only.push_back(std::move(*more));
  }
  return std::unique_ptr<Consumer>(
      new Consumer(std::make_unique<Impl>(std::move(config), std::move(*network), std::move(fetch_only))));
}

Consumer::Consumer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Consumer::~Consumer() = default;

Status Consumer::assign(const std::vector<TopicPartition>& partitions) {
  return impl_->assign(partitions);
}
Status Consumer::assign_topic(const std::string& topic) {
  return impl_->assign_topic(topic);
}
std::vector<TopicPartition> Consumer::assignment() const {
  return impl_->assignment();
}
Status Consumer::seek(const TopicPartition& partition, Offset offset) {
  return impl_->seek(partition, offset);
}
Status Consumer::seek_to_beginning(const std::vector<TopicPartition>& partitions) {
  return impl_->seek_to(partitions, OffsetReset::earliest);
}
Status Consumer::seek_to_end(const std::vector<TopicPartition>& partitions) {
  return impl_->seek_to(partitions, OffsetReset::latest);
}
Result<Offset> Consumer::position(const TopicPartition& partition) {
  return impl_->position(partition);
}
Result<std::vector<ConsumerRecord>> Consumer::poll(std::chrono::milliseconds timeout) {
  auto views = impl_->poll_views(timeout);
  if (!views) return std::move(views).error();
  std::vector<ConsumerRecord> out;
  out.reserve(views->size());
  for (const ConsumerRecordView& view : *views) out.push_back(view.to_record());
  return out;
}
Result<ConsumerRecords> Consumer::poll_views(std::chrono::milliseconds timeout) {
  return impl_->poll_views(timeout);
}
void Consumer::close() {
  impl_->close();
}

}  // namespace millrace::client
