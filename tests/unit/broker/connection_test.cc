// Connection + ResponseWriter: responses held in memory and fetch records sent from segment files with
// sendfile(2) go out in request order, byte for byte, also when the reader is slow (sendfile meets EAGAIN).
#include <algorithm>
#include <array>
#include <chrono>
#include <future>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

#include "faulty_file_system.h"
#include "millrace.pb.h"
#include "millrace/broker/connection.h"
#include "millrace/protocol/frame.h"
#include "millrace/protocol/record_batch_builder.h"
#include "millrace/storage/partition_log.h"
#include "temp_dir.h"

using namespace millrace;
using namespace millrace::broker;
using boost::asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

constexpr uint32_t kRequests = 24;

// A log with ~4 MiB of batches of ~64 KiB: enough to overrun small socket buffers many times.
std::unique_ptr<storage::PartitionLog> make_log(const std::filesystem::path& dir,
                                                std::shared_ptr<storage::FileSystem> file_system = nullptr) {
  auto log = storage::PartitionLog::open(dir, storage::LogConfig{}, std::move(file_system));
  REQUIRE(log.ok());
  for (int b = 0; b < 64; ++b) {
    protocol::RecordBatchBuilder builder;
    for (int r = 0; r < 16; ++r) {
      protocol::Record record;
      record.value = std::string(4000, static_cast<char>('a' + (b + r) % 26));
      builder.append(record);
    }
    Buffer batch = builder.build();
    REQUIRE((*log)->append(batch).ok());
  }
  return std::move(log).value();
}

// The response to request `id`: id % 3 == 0 a frame wholly in memory, otherwise some bytes in memory and
// file ranges of the log (the same range twice: several ranges per frame).
ResponseFrame response_for(uint32_t id, const storage::PartitionLog& log) {
  ResponseFrame response;
  response.bytes.assign(100 + id * 37, static_cast<char>('A' + id % 26));
  if (id % 3 != 0) {
    const Offset from{static_cast<int64_t>(id) * 37 % 900};
    auto read = log.read_ranges(from, 256 * 1024 + id * 1000, log.log_end_offset());
    REQUIRE(read.ok());
    REQUIRE(read->ranges.size() == 1);
    response.ranges = read->ranges;
    response.ranges.push_back(read->ranges.front());
  }
  return response;
}

Buffer bytes_of(const ResponseFrame& frame) {
  Buffer bytes = frame.bytes;
  for (const storage::FileRange& range : frame.ranges) {
    Buffer part(static_cast<size_t>(range.length()));
    REQUIRE(range.read(0, part).ok());
    bytes.insert(bytes.end(), part.begin(), part.end());
  }
  return bytes;
}

// Answers with response_for(); ids with id % 3 == 2 are held back and answered after the last request,
// newest first, so that completions arrive out of order.
class ScriptedHandler : public RequestHandler {
 public:
  ScriptedHandler(boost::asio::io_context& io, const storage::PartitionLog& log) : io_(io), log_(log) {}

  void handle(const protocol::FrameView& frame, MutableByteView, Respond respond) override {
    const uint32_t id = frame.header.correlation_id;
    ResponseFrame response = response_for(id, log_);
    if (id % 3 == 2) {
      deferred_.emplace_back(std::move(respond), std::move(response));
    } else {
      respond(std::move(response));
    }
    if (id + 1 == kRequests) {
      for (auto it = deferred_.rbegin(); it != deferred_.rend(); ++it) {
        boost::asio::post(io_, [respond = std::move(it->first), r = std::move(it->second)]() mutable {
          respond(std::move(r));
        });
      }
      deferred_.clear();
    }
  }

 private:
  boost::asio::io_context& io_;
  const storage::PartitionLog& log_;
  std::vector<std::pair<Respond, ResponseFrame>> deferred_;
};

// A broker-side Connection on loopback with small socket buffers; its io_context runs on a thread.
struct Harness {
  boost::asio::io_context io;
  tcp::socket client{io};
  std::shared_ptr<Connection> connection;
  BrokerConfig config;
  std::thread thread;

  void start(RequestHandler& handler) {
    tcp::acceptor acceptor(io, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    client.open(tcp::v4());
    client.set_option(boost::asio::socket_base::receive_buffer_size(8 * 1024));
    client.connect(acceptor.local_endpoint());
    tcp::socket server = acceptor.accept();
    server.set_option(boost::asio::socket_base::send_buffer_size(16 * 1024));
    connection = std::make_shared<Connection>(std::move(server), config, handler);
    connection->start();
    thread = std::thread([this] { io.run(); });
  }

  void send_requests() {
    Buffer requests;
    for (uint32_t id = 0; id < kRequests; ++id) {
      protocol::append_frame(requests, protocol::ApiKey::fetch, id, wire::FetchRequest());
    }
    boost::asio::write(client, boost::asio::buffer(requests));
  }

  // Reads until `limit` bytes came or the peer closed; slowly over the first 512 KiB (small reads with
  // pauses) so that the broker's send buffer stays full and sendfile meets EAGAIN.
  Buffer read(size_t limit) {
    Buffer received;
    std::array<char, 4096> chunk;
    while (received.size() < limit) {
      boost::system::error_code ec;
      const size_t n = client.read_some(boost::asio::buffer(chunk), ec);
      if (ec) break;
      received.insert(received.end(), chunk.begin(), chunk.begin() + static_cast<ptrdiff_t>(n));
      if (received.size() < 512 * 1024) std::this_thread::sleep_for(200us);
    }
    return received;
  }

  // Stops the io thread; afterwards the connection may be inspected from the test thread.
  void stop() {
    if (!thread.joinable()) return;
    boost::asio::post(io, [this] { connection->close(); });
    io.stop();
    thread.join();
  }
  ~Harness() { stop(); }
};

Buffer expected_stream(const storage::PartitionLog& log) {
  Buffer all;
  for (uint32_t id = 0; id < kRequests; ++id) {
    const Buffer bytes = bytes_of(response_for(id, log));
    all.insert(all.end(), bytes.begin(), bytes.end());
  }
  return all;
}

uint64_t file_bytes(const storage::PartitionLog& log) {
  uint64_t total = 0;
  for (uint32_t id = 0; id < kRequests; ++id) {
    const ResponseFrame r = response_for(id, log);
    total += r.size_bytes() - r.bytes.size();
  }
  return total;
}

// Sends every scripted request through `harness`, reads the whole response stream with its slow reader and
// checks it byte for byte against expected_stream(); stops the harness (its write stats stay readable).
void serve_scripted_requests(Harness& harness, const storage::PartitionLog& log) {
  const Buffer expected = expected_stream(log);
  ScriptedHandler handler(harness.io, log);
  harness.start(handler);
  harness.send_requests();
  const Buffer received = harness.read(expected.size());
  harness.stop();
  REQUIRE(received.size() == expected.size());
  CHECK(received == expected);
}

}  // namespace

TEST_CASE("a connection sends memory and file-range responses in request order through a slow reader") {
  millrace::testing::TempDir dir;
  auto log = make_log(dir.path() / "t-0");
  Harness harness;
  serve_scripted_requests(harness, *log);
  const ResponseWriter::Stats& stats = harness.connection->write_stats();
  CHECK(stats.sendfile_bytes == file_bytes(*log));  // every file byte went out with sendfile
  CHECK(stats.copied_file_bytes == 0);
  CHECK(stats.writability_waits > 0);  // the slow reader made sendfile wait for writability
}

TEST_CASE("file ranges without a descriptor are copied, in order with the rest") {
  millrace::testing::TempDir dir;
  // The fault-injecting file system's files lend no descriptor (lease_descriptor() is null): pread + write.
  auto log = make_log(dir.path() / "t-0", std::make_shared<millrace::testing::FaultyFileSystem>());
  Harness harness;
  serve_scripted_requests(harness, *log);
  CHECK(harness.connection->write_stats().sendfile_bytes == 0);
  CHECK(harness.connection->write_stats().copied_file_bytes == file_bytes(*log));
}

TEST_CASE("a file range cut by a truncation while it waits is not sent: the connection closes") {
  millrace::testing::TempDir dir;
  auto log = make_log(dir.path() / "t-0");
  const Buffer expected = expected_stream(*log);
  Harness harness;
  ScriptedHandler handler(harness.io, *log);
  harness.start(handler);
  harness.send_requests();

  // Read a little so that responses are queued and the writer waits on the full send buffer, then cut the
  // segment below every range and append different bytes where the cut ones were.
  Buffer received = harness.read(64 * 1024);
  std::promise<bool> cut;
  boost::asio::post(harness.io, [&] {  // on the network thread, as the broker would
    bool ok = log->truncate_to(Offset{0}).ok();
    for (int i = 0; i < 4; ++i) {
      protocol::RecordBatchBuilder builder;
      protocol::Record record;
      record.value = std::string(60000, '#');
      builder.append(record);
      Buffer batch = builder.build();
      ok = ok && log->append(batch).ok();
    }
    cut.set_value(ok);
  });
  REQUIRE(cut.get_future().get());
  const Buffer rest = harness.read(expected.size());
  received.insert(received.end(), rest.begin(), rest.end());
  harness.stop();
  // The stream stops early (the connection closed) and is a prefix of the original: no replaced byte went
  // out.
  CHECK(received.size() < expected.size());
  CHECK(std::equal(received.begin(), received.end(), expected.begin()));
}
