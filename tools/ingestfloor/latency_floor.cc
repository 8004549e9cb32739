#include "latency_floor.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

#include "bench_clock.h"
#include "bench_payload.h"
#include "floor_io.h"
#include "flusher.h"
#include "rate_schedule.h"

namespace millrace::ingestfloor {
namespace {

constexpr uint64_t kMaxFrameBytes = 64ull << 20;  // a sender that fell far behind sends its backlog in pieces
constexpr int kMaxPartitions = 1000;
constexpr size_t kWarmupWriteBytes = 256 * 1024;  // the ingest floor's default write size

Error protocol_error(const std::string& what) {
  return Error{std::make_error_code(std::errc::protocol_error), what};
}

// Both directions of `socket` end, so that the thread at the other end stops too.
void cut(int socket) {
  ::shutdown(socket, SHUT_RDWR);
}

// Reads the next frame, a 4-byte length then that many bytes of whole records, into `frame`. False at the end
// of the stream; an error naming `what` for a frame of a bad length or one cut short.
Result<bool> receive_frame(int socket, size_t record_bytes, std::vector<char>& frame,
                           const std::string& what) {
  uint32_t length = 0;
  if (!receive_exactly(socket, reinterpret_cast<char*>(&length), sizeof length)) return false;
  if (length == 0 || length > kMaxFrameBytes || length % record_bytes != 0)
    return protocol_error(what + " of " + std::to_string(length) + " bytes");
  frame.resize(length);
  if (!receive_exactly(socket, frame.data(), frame.size())) return protocol_error("short " + what);
  return true;
}

// The sending thread: paced as `millrace bench e2e` paces (paced_sender.cc); each wake-up sends every record
// due by then as one frame, a 4-byte length then the records, each stamped with its due time and index.
std::optional<Error> run_sender(const LatencyFloorOptions& options, const cli::RateSchedule& schedule,
                                int socket, uint64_t& frames) {
  const std::string filler = cli::make_payload(options.record_bytes, 3);
  const uint64_t max_frame_records = std::max<uint64_t>(1, kMaxFrameBytes / options.record_bytes);
  std::vector<char> frame;
  uint64_t next = 0;
  while (next < options.records) {
    int64_t now_ns = cli::steady_now_ns();
    if (const auto wake = schedule.wake_ns(schedule.due_ns(next), now_ns)) {
      std::this_thread::sleep_until(cli::steady_time_point(*wake));
      now_ns = cli::steady_now_ns();
    }
    const uint64_t end =
        std::min({options.records, next + max_frame_records, std::max(next + 1, schedule.due_count(now_ns))});
    auto length = static_cast<uint32_t>((end - next) * options.record_bytes);
    frame.resize(length);
    for (uint64_t index = next; index < end; ++index) {
      char* record = frame.data() + (index - next) * options.record_bytes;
      std::memcpy(record, filler.data(), options.record_bytes);
      cli::write_stamp(record, cli::PayloadStamp{schedule.due_ns(index), index});
    }
    if (!send_all(socket, {{&length, sizeof length}, {frame.data(), frame.size()}})) {
      Error error = system_error("send");
      cut(socket);
      return error;
    }
    ++frames;
    next = end;
  }
  ::shutdown(socket, SHUT_WR);
  return std::nullopt;
}

// The relay thread: reads each frame whole, appends it to the next partition file, tells the flusher (if any)
// without waiting for it, and forwards the frame from the file with sendfile.
std::optional<Error> run_relay(const LatencyFloorOptions& options,
                               const std::vector<std::shared_ptr<storage::PosixFile>>& files, int in, int out,
                               Flusher* flusher, LatencyFloorResult& result) {
  std::vector<char> frame;
  size_t partition = 0;
  const auto fail = [&](Error error) {
    cut(in);
    cut(out);
    return error;
  };
  for (;;) {
    auto received = receive_frame(in, options.record_bytes, frame, "frame");
    if (!received) return fail(std::move(received).error());
    if (!*received) break;
    auto length = static_cast<uint32_t>(frame.size());  // sent ahead of the forwarded bytes
    storage::PosixFile& file = *files[partition];
    const int64_t written_at = file.size();
    const int64_t write_start_ns = cli::steady_now_ns();
    if (auto appended = append_reserved(file, ByteView(frame.data(), frame.size())); !appended)
      return fail(std::move(appended).error());
    const auto write_ns = static_cast<double>(cli::steady_now_ns() - write_start_ns);
    result.write_seconds += write_ns / 1e9;
    result.max_write_ms = std::max(result.max_write_ms, write_ns / 1e6);
    if (flusher != nullptr) flusher->written(partition, file.size());
    partition = (partition + 1) % files.size();
    // Forwarded from the file, as the broker serves a fetch: the length, then sendfile from the page cache.
    if (!send_all(out, {{&length, sizeof length}}, MSG_MORE) ||
        !send_file_range(out, *file.lease_descriptor(), written_at, frame.size()))
      return fail(system_error("forward"));
  }
  ::shutdown(out, SHUT_WR);
  return std::nullopt;
}

// The receiving thread: records each record's latency when its frame has arrived whole, and checks that the
// records come in order, none missing.
std::optional<Error> run_receiver(const LatencyFloorOptions& options, int socket, LatencyFloorResult& result,
                                  int64_t& last_arrival_ns) {
  std::vector<char> frame;
  for (;;) {
    auto received = receive_frame(socket, options.record_bytes, frame, "forwarded frame");
    if (!received) {
      cut(socket);
      return std::move(received).error();
    }
    if (!*received) break;
    const int64_t now_ns = cli::steady_now_ns();
    for (size_t at = 0; at < frame.size(); at += options.record_bytes) {
      const auto stamp = cli::read_stamp(std::string_view(frame.data() + at, options.record_bytes));
      if (!stamp || stamp->index != result.records) {
        cut(socket);
        return protocol_error("record " + std::to_string(result.records) + " missing or out of order");
      }
      result.latency.record(now_ns - stamp->intended_send_ns);
      ++result.records;
    }
    last_arrival_ns = now_ns;
  }
  return std::nullopt;
}

// Appends `bytes` of filler to the files in turn, telling the flusher (if any), as a relay that has been
// running would have. The caller's thread; before the relay thread starts.
Status warm_up(const std::vector<std::shared_ptr<storage::PosixFile>>& files, int64_t bytes,
               Flusher* flusher) {
  const std::string filler = cli::make_payload(kWarmupWriteBytes, 4);
  size_t partition = 0;
  for (int64_t written = 0; written < bytes; written += static_cast<int64_t>(filler.size())) {
    storage::PosixFile& file = *files[partition];
    if (auto appended = append_reserved(file, ByteView(filler.data(), filler.size())); !appended)
      return appended;
    if (flusher != nullptr) flusher->written(partition, file.size());
    partition = (partition + 1) % files.size();
  }
  return {};
}

}  // namespace

Result<LatencyFloorResult> measure_latency_floor(const LatencyFloorOptions& options) {
  if (!(options.records_per_second > 0) || options.records == 0 || options.record_bytes < cli::kStampBytes ||
      options.record_bytes > kMaxFrameBytes || options.partitions < 1 ||
      options.partitions > kMaxPartitions || options.pace_step_ns < 0 ||
      options.page_cache_window_bytes < 0 || options.warmup_bytes < 0)
    return Error{std::make_error_code(std::errc::invalid_argument),
                 "need records_per_second > 0, records > 0, 16 <= record_bytes <= 64 MiB, 1 <= partitions <= "
                 "1000, and pace_step_ns, page_cache_window_bytes and warmup_bytes >= 0"};
  PartitionFiles files(options.directory, options.partitions);
  if (files.error()) return *files.error();
  // Finished (joined) before the files close, whatever happens.
  std::optional<Flusher> flusher = flusher_for(files.files(), options.page_cache_window_bytes);

  // sender -> relay -> receiver: loopback connections complete in the listen backlog, before any accept.
  auto to_relay = listen_on_loopback();
  if (!to_relay) return std::move(to_relay).error();
  auto to_receiver = listen_on_loopback();
  if (!to_receiver) return std::move(to_receiver).error();
  Socket sender_socket(connect_to(to_relay->address));
  if (sender_socket.get() < 0) return system_error("connect to the relay");
  Socket relay_in(::accept(to_relay->socket->get(), nullptr, nullptr));
  Socket relay_out(connect_to(to_receiver->address));
  if (relay_in.get() < 0 || relay_out.get() < 0) return system_error("connect the relay");
  Socket receiver_socket(::accept(to_receiver->socket->get(), nullptr, nullptr));
  if (receiver_socket.get() < 0) return system_error("accept the relay");

  if (auto warmed = warm_up(files.files(), options.warmup_bytes, flusher ? &*flusher : nullptr); !warmed)
    return std::move(warmed).error();
  const uint64_t warmup_on_disk = files.bytes_on_disk();

  LatencyFloorResult result;
  std::optional<Error> sender_error, relay_error, receiver_error;
  int64_t last_arrival_ns = 0;
  const double machine_before = machine_busy_seconds();
  const cli::RateSchedule schedule(cli::steady_now_ns(), options.records_per_second, options.pace_step_ns);
  std::thread receiver(
      [&] { receiver_error = run_receiver(options, receiver_socket.get(), result, last_arrival_ns); });
  std::thread relay([&] {
    relay_error = run_relay(options, files.files(), relay_in.get(), relay_out.get(),
                            flusher ? &*flusher : nullptr, result);
  });
  sender_error = run_sender(options, schedule, sender_socket.get(), result.frames);
  relay.join();
  receiver.join();
  result.seconds = static_cast<double>(last_arrival_ns - schedule.start_ns()) / 1e9;
  result.machine_cpu_s = machine_busy_seconds() - machine_before;
  std::optional<Error> flusher_error;
  if (flusher) flusher_error = flusher->finish();

  if (relay_error) return *relay_error;
  if (receiver_error) return *receiver_error;
  if (sender_error) return *sender_error;
  if (flusher_error) return *flusher_error;
  const uint64_t sent_bytes = options.records * options.record_bytes;
  const uint64_t written = files.bytes_on_disk() - warmup_on_disk;
  if (result.records != options.records || written != sent_bytes)
    return Error{std::make_error_code(std::errc::io_error),
                 "sent " + std::to_string(options.records) + " records, received " +
                     std::to_string(result.records) + ", wrote " + std::to_string(written) + " of " +
                     std::to_string(sent_bytes) + " bytes"};
  return result;
}

}  // namespace millrace::ingestfloor
