#pragma once
// ControlCommand: one line of the control protocol, parsed. The grammar (tools/faultproxy/README.md):
//
//   pass [up|down|both]          forward normally (default: both directions)
//   delay up|down|both MS        hold each chunk MS milliseconds (0..kDelayMsMax), order kept
//   blackhole up|down|both       discard bytes; connections stay open
//   drop-frames up|down|both K   drop the next K whole native-protocol frames (0..kDropFramesMax)
//   reset                        reset all connections, refuse new ones until heal
//   heal                         pass both ways, cancel pending frame drops, accept connections again
//   stats                        the faults in force and the counters
//
// Words are separated by spaces or tabs; a trailing "\r" is ignored. Pure: no I/O.
#include <cstdint>
#include <string_view>

#include "direction.h"
#include "millrace/protocol/result.h"

namespace millrace::faultproxy {

enum class ControlVerb { pass, delay, blackhole, drop_frames, reset, heal, stats };

struct ControlCommand {
  ControlVerb verb = ControlVerb::stats;
  DirectionSet directions;  // pass, delay, blackhole, drop_frames
  uint64_t value = 0;       // delay: milliseconds; drop_frames: frame count
};

// Errors (std::errc::invalid_argument) carry a one-line message fit to send back after "error ".
Result<ControlCommand> parse_control_command(std::string_view line);

}  // namespace millrace::faultproxy
