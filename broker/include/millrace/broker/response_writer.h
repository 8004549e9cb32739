#pragma once
// ResponseWriter: writes a connection's response frames to its socket, strictly in order. Bytes in memory go
// out with gather writes (async_write); file ranges (fetch payloads) go from the page cache to the socket
// with sendfile(2), so the broker never copies them. The socket is non-blocking: when its send buffer is
// full, sendfile returns EAGAIN and the writer waits for writability with Asio, then continues from the byte
// it reached. Short sends continue the same way; EINTR is retried. If sendfile is refused (EINVAL, ENOSYS:
// a file system or socket that does not support it) the writer falls back to pread + write for the rest of
// the connection's life; files without a descriptor (a fake file system) are always sent that way.
//
// A range whose segment was cut since it was read (storage::FileRange::intact) cannot be sent honestly, as
// the frame header already promised its length: the writer stops with an error and the connection closes
// (the client retries the fetch). A file that ends before a range does is treated the same.
//
// Thread-safety: the socket's thread only. Lifetime: the owner (Connection) outlives it; the owner keeps
// itself alive through `done`, which the writer holds until it calls it.
#include <cstdint>
#include <functional>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "millrace/broker/response_frame.h"

namespace millrace::broker {

class ResponseWriter {
 public:
  // Called once per write(): with no error when every frame was written, else with the first error (the
  // connection must then close: part of a frame may have gone out).
  using Done = std::function<void(const boost::system::error_code&)>;

  struct Stats {
    uint64_t sendfile_bytes = 0;     // bytes of file ranges sent with sendfile
    uint64_t copied_file_bytes = 0;  // bytes of file ranges sent with pread + write (the fallback)
    uint64_t writability_waits = 0;  // times sendfile met a full send buffer (EAGAIN) and waited
  };

  explicit ResponseWriter(boost::asio::ip::tcp::socket& socket);

  // Writes `frames` in order, then calls `done` (never from inside this call). One write at a time.
  void write(std::vector<ResponseFrame> frames, Done done);
  bool busy() const { return static_cast<bool>(done_); }
  const Stats& stats() const { return stats_; }

 private:
  // Part of a frame: bytes in memory, or a file range.
  struct Piece {
    ByteView bytes;
    const storage::FileRange* range = nullptr;
  };
  enum class Progress { piece_done, waiting, failed };

  void step();
  void write_buffers();
  Progress send_range(const storage::FileRange& range);
  Progress copy_range_chunk(const storage::FileRange& range);
  void next_piece();
  void fail(const std::string& reason);
  void finish(const boost::system::error_code& ec);

  boost::asio::ip::tcp::socket& socket_;
  std::vector<ResponseFrame> frames_;  // owns what pieces_ point into
  std::vector<Piece> pieces_;
  size_t piece_ = 0;           // the piece being written
  int64_t piece_written_ = 0;  // bytes of it already written
  Buffer copy_buffer_;         // the pread + write fallback
  bool sendfile_usable_ = true;
  Done done_;
  Stats stats_;
};

}  // namespace millrace::broker
