#include "ingest_floor.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <chrono>
#include <cstring>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "floor_io.h"
#include "flusher.h"
#include "millrace/protocol/crc32c.h"
#include "millrace/storage/posix_file.h"
#include "thread_cpu.h"

namespace millrace::ingestfloor {
namespace {

constexpr size_t kChecksumBytes = 4;  // each slice starts with the CRC-32C of the rest
constexpr size_t kValueSourceBytes = 1 << 20;
constexpr int kMaxPartitions = 1000;                 // one iovec each in a sendmsg (IOV_MAX is 1024)
constexpr uint64_t kMaxRequestBytes = 256ull << 20;  // a request is one buffer on each side

// Fills a partition's slice with whole values from `source` (rotating through it) and stamps its CRC.
void fill_slice(const IngestFloorOptions& options, const std::vector<char>& source, size_t& source_offset,
                char* slice) {
  for (size_t at = kChecksumBytes; at + options.record_bytes <= options.write_bytes;
       at += options.record_bytes) {
    std::memcpy(slice + at, source.data() + source_offset, options.record_bytes);
    source_offset = (source_offset + options.record_bytes) % (source.size() - options.record_bytes);
  }
  uint32_t crc = protocol::crc32c(slice + kChecksumBytes, options.write_bytes - kChecksumBytes);
  std::memcpy(slice, &crc, sizeof crc);
}

// The sending thread: one frame per request, a 4-byte length then one slice per partition (gather write).
std::optional<Error> run_sender(const IngestFloorOptions& options, uint64_t requests, sockaddr_in address,
                                double& cpu_seconds) {
  Socket socket(connect_to(address));
  if (socket.get() < 0) return system_error("connect");
  std::vector<char> source(kValueSourceBytes);
  for (size_t i = 0; i < source.size(); ++i) source[i] = static_cast<char>(i * 131 + (i >> 12));
  std::vector<std::vector<char>> slices(static_cast<size_t>(options.partitions),
                                        std::vector<char>(options.write_bytes));
  size_t source_offset = 0;
  auto length = static_cast<uint32_t>(options.write_bytes * slices.size());
  for (uint64_t request = 0; request < requests; ++request) {
    std::vector<iovec> pieces{{&length, sizeof length}};
    for (auto& slice : slices) {
      if (options.checksums) fill_slice(options, source, source_offset, slice.data());
      pieces.push_back({slice.data(), slice.size()});
    }
    if (!send_all(socket.get(), std::move(pieces))) return system_error("send");
  }
  ::shutdown(socket.get(), SHUT_WR);
  char end = 0;
  [[maybe_unused]] ssize_t closed = ::recv(socket.get(), &end, 1, 0);  // the receiver closes when done
  cpu_seconds = thread_cpu_seconds();
  return std::nullopt;
}

// The receiving thread: reads each frame whole, checks each slice's CRC (with checksums), and appends each
// slice to its partition's file (one pwrite, as the broker's storage appends), then tells the flusher (if
// any) how far the file goes, without waiting for it.
std::optional<Error> run_receiver(const IngestFloorOptions& options,
                                  const std::vector<std::shared_ptr<storage::PosixFile>>& files, int socket,
                                  Flusher* flusher, uint64_t& bytes, double& cpu_seconds) {
  std::vector<char> frame(options.write_bytes * files.size());
  for (;;) {
    uint32_t length = 0;
    if (!receive_exactly(socket, reinterpret_cast<char*>(&length), sizeof length)) break;
    if (length != frame.size() || !receive_exactly(socket, frame.data(), frame.size()))
      return Error{std::make_error_code(std::errc::protocol_error), "short or malformed frame"};
    for (size_t partition = 0; partition < files.size(); ++partition) {
      const ByteView slice(frame.data() + partition * options.write_bytes, options.write_bytes);
      if (options.checksums) {
        uint32_t expected = 0;
        std::memcpy(&expected, slice.data(), sizeof expected);
        if (protocol::crc32c(slice.data() + kChecksumBytes, slice.size() - kChecksumBytes) != expected)
          return Error{std::make_error_code(std::errc::protocol_error), "CRC mismatch"};
      }
      // Disk space reserved ahead, so ext4 does not map it page by page.
      if (auto appended = append_reserved(*files[partition], slice); !appended)
        return std::move(appended).error();
      if (flusher != nullptr) flusher->written(partition, files[partition]->size());
      bytes += slice.size();
    }
  }
  cpu_seconds = thread_cpu_seconds();
  return std::nullopt;
}

}  // namespace

Result<IngestFloorResult> measure_ingest_floor(const IngestFloorOptions& options) {
  if (options.partitions < 1 || options.partitions > kMaxPartitions ||
      options.write_bytes <= kChecksumBytes + options.record_bytes || options.record_bytes == 0 ||
      options.record_bytes > kValueSourceBytes / 2 ||
      options.write_bytes * static_cast<uint64_t>(options.partitions) > kMaxRequestBytes ||
      options.page_cache_window_bytes < 0)
    return Error{std::make_error_code(std::errc::invalid_argument),
                 "need 1 <= partitions <= 1000, 0 < record_bytes <= 512 KiB, write_bytes > record_bytes + 4, "
                 "write_bytes x partitions <= 256 MiB and page_cache_window_bytes >= 0"};
  uint64_t request_bytes = options.write_bytes * static_cast<uint64_t>(options.partitions);
  uint64_t requests = options.total_bytes / request_bytes;
  if (requests == 0)
    return Error{std::make_error_code(std::errc::invalid_argument), "fewer bytes than a request"};

  PartitionFiles files(options.directory, options.partitions);
  if (files.error()) return *files.error();
  // Finished (joined) before the files close, whatever happens.
  std::optional<Flusher> flusher = flusher_for(files.files(), options.page_cache_window_bytes);
  auto listener = listen_on_loopback();
  if (!listener) return std::move(listener).error();
  const sockaddr_in address = listener->address;

  IngestFloorResult result;
  double machine_before = machine_busy_seconds();
  auto started = std::chrono::steady_clock::now();
  std::optional<Error> sender_error, receiver_error;
  std::thread sender([&] { sender_error = run_sender(options, requests, address, result.sender_cpu_s); });
  Socket connection(::accept(listener->socket->get(), nullptr, nullptr));
  if (connection.get() < 0) {
    receiver_error = system_error("accept");
  } else {
    std::thread receiver([&] {
      receiver_error = run_receiver(options, files.files(), connection.get(), flusher ? &*flusher : nullptr,
                                    result.bytes, result.receiver_cpu_s);
    });
    receiver.join();
    ::shutdown(connection.get(), SHUT_RDWR);
  }
  sender.join();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  result.machine_cpu_s = machine_busy_seconds() - machine_before;
  std::optional<Error> flusher_error;
  if (flusher) {  // after the measurement: the sync of the tail is not part of the rate
    flusher_error = flusher->finish();
    result.synced_bytes = flusher->synced_bytes();
    result.dropped_bytes = flusher->dropped_bytes();
    result.flusher_cpu_s = flusher->cpu_seconds();
  }

  uint64_t on_disk = files.bytes_on_disk();
  if (receiver_error) return *receiver_error;
  if (sender_error) return *sender_error;
  if (flusher_error) return *flusher_error;
  if (result.bytes != requests * request_bytes || on_disk != result.bytes)
    return Error{
        std::make_error_code(std::errc::io_error),
        "sent " + std::to_string(requests * request_bytes) + " bytes, wrote " + std::to_string(on_disk)};
  return result;
}

}  // namespace millrace::ingestfloor
