#include "workload.h"

#include <algorithm>
#include <stdexcept>

namespace millrace::faulttest {

namespace {
// "a,b,c" rotated left by `by`: "b,c,a" for 1.
std::string rotated(const std::string& list, size_t by) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= list.size()) {
    const auto end = std::min(list.find(',', start), list.size());
    items.push_back(list.substr(start, end - start));
    start = end + 1;
  }
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + items[(i + by) % items.size()];
  return out;
}
}  // namespace

Workload::Workload(WorkloadOptions options, std::chrono::steady_clock::time_point epoch)
    : options_(std::move(options)), epoch_(epoch) {}

Workload::~Workload() {
  if (!threads_.empty()) stop(std::chrono::milliseconds(0));
}

int64_t Workload::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - epoch_)
      .count();
}

void Workload::start() {
  entries_.resize(static_cast<size_t>(options_.producers));
  outstanding_.assign(static_cast<size_t>(options_.producers), 0);
  for (int32_t i = 0; i < options_.producers; ++i) {
    client::ProducerConfig config;
    config.connection.bootstrap =
        options_.rotate_bootstrap ? rotated(options_.bootstrap, static_cast<size_t>(i)) : options_.bootstrap;
    config.connection.request_timeout_ms = options_.request_timeout_ms;
    config.connection.connect_timeout_ms = options_.request_timeout_ms;
    config.acks = client::Acks::all;
    config.enable_idempotence = options_.idempotent;
    config.delivery_timeout_ms = options_.delivery_timeout_ms;
    config.linger_ms = 5;
    auto producer = client::Producer::create(config);
    if (!producer) throw std::runtime_error("producer: " + producer.error().to_string());
    producers_.push_back(std::move(*producer));
  }
  for (int32_t i = 0; i < options_.producers; ++i) threads_.emplace_back([this, i] { run_producer(i); });
}

void Workload::run_producer(int32_t index) {
  const auto slot = static_cast<size_t>(index);
  auto& producer = *producers_[slot];
  std::vector<int64_t> next_sequence(static_cast<size_t>(options_.partitions), 0);
  const auto interval = std::chrono::microseconds(1'000'000 / std::max(1, options_.records_per_second));
  auto next_send = std::chrono::steady_clock::now();
  int32_t partition = 0;
  while (!stopping_.load()) {
    std::this_thread::sleep_until(next_send);
    next_send += interval;
    {
      std::lock_guard lock(mutex_);
      if (outstanding_[slot] >= options_.max_outstanding) continue;
    }
    const int64_t sequence = next_sequence[static_cast<size_t>(partition)]++;
    client::ProducerRecord record;
    record.topic = options_.topic;
    record.partition = PartitionId{partition};
    record.key = "producer-" + std::to_string(index);
    record.value = record_value(index, partition, sequence);
    size_t entry_index = 0;
    {
      std::lock_guard lock(mutex_);
      AckEntry entry;
      entry.producer = index;
      entry.partition = partition;
      entry.sequence = sequence;
      entry.send_ms = now_ms();
      entry_index = entries_[slot].size();
      entries_[slot].push_back(entry);
      ++outstanding_[slot];
    }
    auto status =
        producer.send(std::move(record), [this, slot, entry_index](const client::DeliveryReport& r) {
          std::lock_guard lock(mutex_);
          auto& entry = entries_[slot][entry_index];
          entry.done_ms = now_ms();
          entry.acknowledged = r.ok();
          entry.offset = r.ok() ? r.offset.value : -1;
          --outstanding_[slot];
        });
    if (!status) {
      // Refused before buffering: no callback will come and the record cannot be in the log. Keep the
      // sequence used (gaps in sequences are harmless); drop the entry.
      std::lock_guard lock(mutex_);
      entries_[slot].pop_back();
      --outstanding_[slot];
      ++refused_;
    }
    partition = (partition + 1) % options_.partitions;
  }
}

void Workload::stop(std::chrono::milliseconds drain) {
  stopping_.store(true);
  for (auto& t : threads_) t.join();
  threads_.clear();
  stopped_ms_ = now_ms();
  // Close concurrently so that one slow producer does not stretch the others' drain time.
  std::vector<std::thread> closers;
  for (auto& p : producers_) closers.emplace_back([&p, drain] { p->close(drain); });
  for (auto& t : closers) t.join();
}

std::vector<AckEntry> Workload::entries() {
  std::lock_guard lock(mutex_);
  std::vector<AckEntry> all;
  for (const auto& per_producer : entries_) all.insert(all.end(), per_producer.begin(), per_producer.end());
  return all;
}

}  // namespace millrace::faulttest
