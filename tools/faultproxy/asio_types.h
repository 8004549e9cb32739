#pragma once
// The Boost.Asio names the fault proxy uses, in one place. Coroutines complete with (error_code, ...) tuples
// (kNoThrow) rather than exceptions.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace millrace::faultproxy {

namespace asio = boost::asio;
using tcp = boost::asio::ip::tcp;
using boost::asio::awaitable;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

}  // namespace millrace::faultproxy
