#pragma once
// TransferWhole: the completion condition every socket write of whole frames uses (Asio's async_write).
//
// Asio's default, transfer_all, hands the socket at most 64 KiB per write_some (default_max_transfer_size),
// so a 150 KB produce request took three sendmsg calls, and the peer woke for each. This one offers
// everything that is left: the kernel takes what fits in the socket's send buffer and the write goes on
// from there, until every byte is written or an error ends it.
//
// A template on the error code type, so that this header needs no Asio.
#include <cstddef>
#include <limits>

namespace millrace::protocol {

struct TransferWhole {
  template <class ErrorCode>
  std::size_t operator()(const ErrorCode& ec, std::size_t /*written*/) const {
    return ec ? 0 : std::numeric_limits<std::size_t>::max();
  }
};

}  // namespace millrace::protocol
