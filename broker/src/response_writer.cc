#include "millrace/broker/response_writer.h"

#include <sys/sendfile.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <string>
#include <system_error>

#include <spdlog/spdlog.h>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "millrace/protocol/transfer_whole.h"

namespace millrace::broker {

namespace {
// One sendfile call sends at most this much (Linux caps a call at 0x7ffff000 bytes anyway).
constexpr int64_t kSendfileMaxBytes = 64LL * 1024 * 1024;
// The pread + write fallback copies a range in chunks of this size.
constexpr int64_t kCopyChunkBytes = 256 * 1024;
}  // namespace

ResponseWriter::ResponseWriter(boost::asio::ip::tcp::socket& socket) : socket_(socket) {}

void ResponseWriter::write(std::vector<ResponseFrame> frames, Done done) {
  assert(!busy() && done);
  done_ = std::move(done);
  frames_ = std::move(frames);
  pieces_.clear();
  for (const ResponseFrame& frame : frames_) {
    if (!frame.bytes.empty()) pieces_.push_back(Piece{frame.bytes, nullptr});
    for (const storage::FileRange& range : frame.ranges) {
      if (range.length() > 0) pieces_.push_back(Piece{{}, &range});
    }
  }
  piece_ = 0;
  piece_written_ = 0;
  // Never complete inside write(): the caller may still be updating its own state.
  boost::asio::post(socket_.get_executor(), [this] { step(); });
}

void ResponseWriter::step() {
  while (piece_ < pieces_.size()) {
    const Piece& piece = pieces_[piece_];
    if (piece.range == nullptr) {
      write_buffers();
      return;
    }
    switch (send_range(*piece.range)) {
      case Progress::piece_done:
        next_piece();
        continue;
      case Progress::waiting:
      case Progress::failed:
        return;
    }
  }
  finish({});
}

void ResponseWriter::next_piece() {
  ++piece_;
  piece_written_ = 0;
}

// The in-memory pieces from the current one up to the next file range, in one gather write.
void ResponseWriter::write_buffers() {
  std::vector<boost::asio::const_buffer> buffers;
  size_t end = piece_;
  for (; end < pieces_.size() && pieces_[end].range == nullptr; ++end) {
    const ByteView bytes = pieces_[end].bytes;
    const size_t skip = end == piece_ ? static_cast<size_t>(piece_written_) : 0;
    buffers.emplace_back(bytes.data() + skip, bytes.size() - skip);
  }
  boost::asio::async_write(socket_, buffers, protocol::TransferWhole{},
                           [this, end](const boost::system::error_code& ec, size_t) {
                             if (ec) return finish(ec);
                             piece_ = end;
                             piece_written_ = 0;
                             step();
                           });
}

ResponseWriter::Progress ResponseWriter::send_range(const storage::FileRange& range) {
  const int file = range.native_handle();
  if (file < 0 || !sendfile_usable_) return copy_range_chunk(range);
  if (!socket_.native_non_blocking()) {
    boost::system::error_code ec;
    socket_.native_non_blocking(true, ec);
    if (ec) {
      finish(ec);
      return Progress::failed;
    }
  }
  while (piece_written_ < range.length()) {
    if (!range.intact()) {
      fail(range.path().string() + " was truncated under a fetch response that was being sent");
      return Progress::failed;
    }
    off_t offset = static_cast<off_t>(range.position() + piece_written_);
    const auto count = static_cast<size_t>(std::min(range.length() - piece_written_, kSendfileMaxBytes));
    const ssize_t sent = ::sendfile(socket_.native_handle(), file, &offset, count);
    if (sent > 0) {
      piece_written_ += sent;
      stats_.sendfile_bytes += static_cast<uint64_t>(sent);
      continue;
    }
    if (sent == 0) {
      fail(range.path().string() + " ends before the fetch response range it was read for");
      return Progress::failed;
    }
    const int error_number = errno;
    if (error_number == EINTR) continue;
    if (error_number == EAGAIN || error_number == EWOULDBLOCK) {
      ++stats_.writability_waits;
      socket_.async_wait(boost::asio::ip::tcp::socket::wait_write,
                         [this](const boost::system::error_code& ec) {
                           if (ec) return finish(ec);
                           step();
                         });
      return Progress::waiting;
    }
    if (error_number == EINVAL || error_number == ENOSYS) {
      spdlog::info("sendfile is not supported here ({}); copying file ranges instead",
                   std::system_category().message(error_number));
      sendfile_usable_ = false;
      return copy_range_chunk(range);
    }
    finish(boost::system::error_code(error_number, boost::system::system_category()));
    return Progress::failed;
  }
  return Progress::piece_done;
}

// The fallback: the next chunk of the range, read into memory and written with async_write.
ResponseWriter::Progress ResponseWriter::copy_range_chunk(const storage::FileRange& range) {
  const int64_t chunk = std::min(range.length() - piece_written_, kCopyChunkBytes);
  copy_buffer_.resize(static_cast<size_t>(chunk));
  if (Status s = range.read(piece_written_, copy_buffer_); !s) {
    fail(s.error().to_string());
    return Progress::failed;
  }
  boost::asio::async_write(
      socket_, boost::asio::buffer(copy_buffer_), protocol::TransferWhole{},
      [this, chunk, length = range.length()](const boost::system::error_code& ec, size_t) {
        if (ec) return finish(ec);
        stats_.copied_file_bytes += static_cast<uint64_t>(chunk);
        piece_written_ += chunk;
        if (piece_written_ == length) next_piece();
        step();
      });
  return Progress::waiting;
}

void ResponseWriter::fail(const std::string& reason) {
  spdlog::warn("closing a connection mid-response: {}", reason);
  finish(boost::system::errc::make_error_code(boost::system::errc::io_error));
}

void ResponseWriter::finish(const boost::system::error_code& ec) {
  Done done = std::move(done_);
  done_ = nullptr;
  pieces_.clear();
  frames_.clear();
  Buffer().swap(copy_buffer_);
  done(ec);
}

}  // namespace millrace::broker
