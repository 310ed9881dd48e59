// One connection to Redis: a Boost.Asio socket (TLS for rediss://) with hiredis's RESP
// reader and formatter.
#pragma once

#include <errand/error.hpp>
#include <errand/redis.hpp>

#include "redis/commands.hpp"
#include "redis/reply.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace errand::redis {

using errand::TimeoutError;  // a round trip ran out of time: the server may or may not have run it

class TlsContext;

class Connection {
 public:
  /// Connects (with a TLS handshake when options.tls.enabled, using `tls`, or a context
  /// of its own when null), authenticates and selects the database. Throws
  /// errand::ConnectionError, or errand::ConfigError for unreadable TLS files.
  explicit Connection(const RedisOptions& options, std::shared_ptr<TlsContext> tls = nullptr);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  /// Sends `commands` in one write and reads one reply each, within `timeout`
  /// (default: the command timeout). Error replies are returned, not thrown.
  /// Throws errand::ConnectionError on I/O failure or timeout (the connection is then broken).
  std::vector<Reply> execute(const Commands& commands, std::chrono::milliseconds timeout);
  std::vector<Reply> execute(const Commands& commands) { return execute(commands, options_.command_timeout); }

  /// The two halves of execute(), for waiting on several connections at once (poll the
  /// native handle between them): send() writes, receive() reads `count` replies.
  void send(const Commands& commands, std::chrono::milliseconds timeout);
  std::vector<Reply> receive(std::size_t count, std::chrono::milliseconds timeout);
  /// The socket's file descriptor, to poll for readability after send(). (With TLS, no
  /// reply is ever left decrypted but unread between round trips, so the socket tells.)
  int native_handle();

  /// One command; throws errand::StoreError for an error reply.
  Reply run(std::initializer_list<std::string_view> argv);

  /// The server's id for this connection (CLIENT ID), asked once; nullopt when the
  /// server refuses CLIENT (managed Redis, ACLs).
  std::optional<std::int64_t> client_id();

  /// False once an I/O error or timeout left the connection in an unknown state.
  [[nodiscard]] bool usable() const noexcept;

  [[nodiscard]] const RedisOptions& options() const noexcept { return options_; }
  /// "redis://host:port/db" (or rediss://) for messages: no password.
  [[nodiscard]] std::string describe() const;

 private:
  class Io;
  void handshake(std::chrono::steady_clock::time_point deadline, std::shared_ptr<TlsContext> tls);

  RedisOptions options_;
  std::unique_ptr<Io> io_;
  std::optional<std::optional<std::int64_t>> client_id_;
};

/// Throws errand::StoreError naming `what` if `reply` is an error reply.
const Reply& expect_ok(const Reply& reply, std::string_view what);
/// The same for every reply of a pipeline.
void expect_all_ok(const std::vector<Reply>& replies, std::string_view what);

}  // namespace errand::redis
