#pragma once
// Named limits of the fault proxy. Together they bound its memory: one direction of one proxied connection
// holds at most kPumpQueueBytesMax + kReadChunkBytes of queued bytes plus one kReadChunkBytes read buffer, so
// a connection holds at most 2 x (1 MiB + 128 KiB) = 2.25 MiB, and kConnectionsMax of them about 288 MiB.
// In practice a pass-mode connection holds its two read buffers and at most a chunk per direction.
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace millrace::faultproxy {

// One read from a socket is at most this many bytes; it becomes one queued chunk.
constexpr size_t kReadChunkBytes = 64 * 1024;

// Bytes waiting to be written in one direction of one connection (delayed or not yet written). When the queue
// holds this much the proxy stops reading from the sender: back-pressure through TCP, never an unbounded
// queue.
constexpr size_t kPumpQueueBytesMax = 1024 * 1024;

// Proxied connections open at once; more are accepted and closed at once (counted as refused).
constexpr size_t kConnectionsMax = 128;

// How long connecting to the target may take before the client connection is closed.
constexpr std::chrono::milliseconds kConnectTimeout{5000};

// Control protocol: longest accepted line (without the newline) and concurrent control sessions.
constexpr size_t kControlLineBytesMax = 1024;
constexpr size_t kControlSessionsMax = 16;

// Largest values the control protocol accepts.
constexpr uint64_t kDelayMsMax = 600'000;  // ten minutes
constexpr uint64_t kDropFramesMax = 1'000'000'000;

// After a failed accept (for example: out of file descriptors) the listeners wait this long before retrying.
constexpr std::chrono::milliseconds kAcceptRetryDelay{50};

// FaultProxy::stop() waits this long for connections to wind down before it stops the event loop hard.
constexpr std::chrono::milliseconds kStopTimeout{2000};

}  // namespace millrace::faultproxy
