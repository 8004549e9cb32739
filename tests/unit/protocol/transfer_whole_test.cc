#include "millrace/protocol/transfer_whole.h"

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/completion_condition.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/error_code.hpp>
#include <catch2/catch.hpp>
#include <vector>

namespace {

// A write stream that takes up to `accept` bytes per write_some and remembers how much it was offered.
struct RecordingStream {
  explicit RecordingStream(size_t accept_bytes, size_t fail_after = 0)
      : accept(accept_bytes), fail_after_calls(fail_after) {}

  size_t accept;
  size_t fail_after_calls;  // 0: never fails
  std::vector<size_t> offered;
  size_t taken = 0;

  template <class ConstBufferSequence>
  size_t write_some(const ConstBufferSequence& buffers, boost::system::error_code& ec) {
    offered.push_back(boost::asio::buffer_size(buffers));
    if (fail_after_calls != 0 && offered.size() > fail_after_calls) {
      ec = boost::asio::error::broken_pipe;
      return 0;
    }
    ec = {};
    const size_t n = std::min(accept, offered.back());
    taken += n;
    return n;
  }
};

constexpr size_t kFrameBytes = 150'000;  // a produce request of about 146 records of 1 KiB

}  // namespace

TEST_CASE("TransferWhole offers the socket everything that is left, where Asio's default offers 64 KiB") {
  std::vector<char> header(16), body(1'000), payload(kFrameBytes - 1'016);
  const std::vector<boost::asio::const_buffer> frame{boost::asio::buffer(header), boost::asio::buffer(body),
                                                     boost::asio::buffer(payload)};
  SECTION("a socket that takes it all takes it in one call") {
    RecordingStream stream(kFrameBytes);
    boost::system::error_code ec;
    CHECK(boost::asio::write(stream, frame, millrace::protocol::TransferWhole{}, ec) == kFrameBytes);
    CHECK_FALSE(ec);
    CHECK(stream.offered == std::vector<size_t>{kFrameBytes});
  }
  SECTION("Asio's default needs three for the same frame") {
    RecordingStream stream(kFrameBytes);
    boost::system::error_code ec;
    CHECK(boost::asio::write(stream, frame, boost::asio::transfer_all(), ec) == kFrameBytes);
    CHECK(stream.offered == std::vector<size_t>{65'536, 65'536, kFrameBytes - 2 * 65'536});
  }
  SECTION("a socket that takes part of it is offered the rest, until all of it is written") {
    RecordingStream stream(100'000);
    boost::system::error_code ec;
    CHECK(boost::asio::write(stream, frame, millrace::protocol::TransferWhole{}, ec) == kFrameBytes);
    CHECK_FALSE(ec);
    CHECK(stream.offered == std::vector<size_t>{kFrameBytes, kFrameBytes - 100'000});
    CHECK(stream.taken == kFrameBytes);
  }
  SECTION("an error ends the write with what was written") {
    RecordingStream stream(100'000, 1);
    boost::system::error_code ec;
    CHECK(boost::asio::write(stream, frame, millrace::protocol::TransferWhole{}, ec) == 100'000);
    CHECK(ec == boost::asio::error::broken_pipe);
    CHECK(stream.offered.size() == 2);
  }
}
