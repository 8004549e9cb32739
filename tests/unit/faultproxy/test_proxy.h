#pragma once
// Helpers shared by the fault proxy tests: start an in-process proxy in front of a port, round trips through
// an echo server, and native-protocol frames for the frame-drop tests.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fault_proxy.h"
#include "loopback_socket.h"

namespace millrace::faultproxy::testing {

constexpr auto kIoTimeout = std::chrono::milliseconds(5000);   // generous: only reached when a test fails
constexpr auto kQuietTimeout = std::chrono::milliseconds(50);  // "nothing more arrives" after a known drop

// A started proxy on 127.0.0.1:<free port> forwarding to 127.0.0.1:target_port. REQUIREs that start() worked.
std::unique_ptr<FaultProxy> start_proxy(uint16_t target_port, bool control_enabled = false);

// Sends `message` and reads the same number of bytes back; returns them (empty on failure).
std::string round_trip(LoopbackSocket& socket, const std::string& message);

// Milliseconds one round trip of `message` takes; -1 if it failed.
int64_t round_trip_ms(LoopbackSocket& socket, const std::string& message);

// `count` bytes of a fixed pseudo-random sequence (so reordering or corruption shows).
std::string pattern_bytes(size_t count, uint32_t seed);

// Native-protocol frame number `index`: correlation id = index, a MetadataRequest body naming
// "topic-<index>", and index*37 payload bytes.
std::string make_frame(uint32_t index);

// Splits `bytes` into whole frames (REQUIREs that they parse) and returns their correlation ids.
std::vector<uint32_t> frame_correlation_ids(const std::string& bytes);

}  // namespace millrace::faultproxy::testing
