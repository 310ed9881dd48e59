#include "redis/connection.hpp"

#include "redis/tls_context.hpp"

#include <errand/error.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>
#include <hiredis/hiredis.h>

#include <array>
#include <optional>

namespace errand::redis {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using SteadyTime = std::chrono::steady_clock::time_point;

namespace {

Reply convert(const redisReply& r) {
  switch (r.type) {
    case REDIS_REPLY_STRING: return {Reply::Type::string, std::string(r.str, r.len)};
    case REDIS_REPLY_STATUS: return {Reply::Type::status, std::string(r.str, r.len)};
    case REDIS_REPLY_ERROR: return {Reply::Type::error, std::string(r.str, r.len)};
    case REDIS_REPLY_INTEGER: return Reply::integer(r.integer);
    case REDIS_REPLY_ARRAY: {
      std::vector<Reply> elements;
      elements.reserve(r.elements);
      for (std::size_t i = 0; i < r.elements; ++i) elements.push_back(convert(*r.element[i]));
      return Reply::array(std::move(elements));
    }
    default: return {};
  }
}

}  // namespace

class Connection::Io {
 public:
  asio::io_context context;
  tcp::socket socket{context};
  std::shared_ptr<TlsContext> tls_context;              ///< outlives `tls`, which uses it
  std::optional<asio::ssl::stream<tcp::socket&>> tls;  ///< over `socket`, for rediss://
  std::unique_ptr<redisReader, decltype(&redisReaderFree)> reader{redisReaderCreate(), &redisReaderFree};
  std::array<char, 64 * 1024> buffer{};
  bool broken = false;

  /// Calls `f` with the stream to read and write: the TLS stream, else the socket.
  template <class F>
  void on_stream(F&& f) {
    if (tls) f(*tls);
    else f(socket);
  }

  /// Runs the operation started just before until it completes or `deadline` passes;
  /// throws TimeoutError when it did not complete.
  void wait(const bool& completed, SteadyTime deadline, std::string_view what, const Connection& owner) {
    context.restart();
    context.run_until(deadline);
    if (completed) return;
    broken = true;
    boost::system::error_code ignored;
    socket.close(ignored);
    context.restart();
    context.run();  // lets the cancelled handler run
    throw TimeoutError(fmt::format("errand: redis at {}: {} timed out (is Redis reachable and responsive?)",
                                   owner.describe(), what));
  }

  /// What to check when an operation failed with `ec`.
  [[nodiscard]] std::string_view hint(const boost::system::error_code& ec, const RedisOptions& options) const {
    // A TLS 1.3 server refuses a missing client certificate after the handshake: the
    // client sees an alert, or only a reset or end of stream, at its first command.
    const bool closed = ec == asio::error::connection_reset || ec == asio::error::eof ||
                        ec == asio::ssl::error::stream_truncated ||
                        ec.category() == asio::error::get_ssl_category();
    if (tls && closed && options.tls.cert_file.empty()) {
      return "the server ended the TLS connection; if it wants a client certificate, give ssl_certfile and "
             "ssl_keyfile in the URL";
    }
    return "is redis-server running there?";
  }

  /// wait(), then throws ConnectionError if the operation failed (`ec`, as its handler stored it).
  void finish(const boost::system::error_code& ec, const bool& completed, SteadyTime deadline, std::string_view what,
              const Connection& owner) {
    wait(completed, deadline, what, owner);
    if (ec) {
      broken = true;
      throw ConnectionError(fmt::format("errand: redis at {}: {} failed: {} ({})", owner.describe(), what,
                                        ec.message(), hint(ec, owner.options())));
    }
  }
};

Connection::Connection(const RedisOptions& options, std::shared_ptr<TlsContext> tls)
    : options_(options), io_(std::make_unique<Io>()) {
  if (!io_->reader) throw std::bad_alloc();
  const SteadyTime deadline = std::chrono::steady_clock::now() + options_.connect_timeout;

  // A numeric address needs no lookup. A host name is resolved here, on the calling
  // thread: Asio's async_resolve would start a helper thread per connection, and such
  // threads receive process signals meant for Processor::run_until_signal.
  boost::system::error_code ec;
  std::vector<tcp::endpoint> endpoints;
  if (const auto address = asio::ip::make_address(options_.host, ec); !ec) {
    endpoints.emplace_back(address, options_.port);
  } else {
    tcp::resolver resolver(io_->context);
    for (const auto& entry : resolver.resolve(options_.host, std::to_string(options_.port), ec)) {
      endpoints.push_back(entry.endpoint());
    }
    if (ec || endpoints.empty()) {
      io_->broken = true;
      throw ConnectionError(fmt::format("errand: redis at {}: cannot resolve host \"{}\": {}", describe(),
                                        options_.host, ec ? ec.message() : "no addresses"));
    }
  }

  bool completed = false;
  asio::async_connect(io_->socket, endpoints, [&](const boost::system::error_code& e, const tcp::endpoint&) {
    ec = e;
    completed = true;
  });
  io_->finish(ec, completed, deadline, "connecting", *this);
  io_->socket.set_option(tcp::no_delay(true), ec);
  if (options_.tls.enabled) handshake(deadline, std::move(tls));

  Commands hello;
  if (!options_.password.empty()) {
    if (options_.username.empty()) hello.add({"AUTH", options_.password});
    else hello.add({"AUTH", options_.username, options_.password});
  }
  const std::string db = std::to_string(options_.db);
  if (options_.db != 0) hello.add({"SELECT", db});
  if (hello.empty()) return;
  for (const Reply& reply : execute(hello, options_.connect_timeout)) {
    if (reply.is_error()) {
      io_->broken = true;
      throw ConnectionError(fmt::format("errand: redis at {}: {} (check the user, password and db in the URL)",
                                        describe(), reply.text()));
    }
  }
}

void Connection::handshake(SteadyTime deadline, std::shared_ptr<TlsContext> tls) {
  io_->tls_context = tls ? std::move(tls) : std::make_shared<TlsContext>(options_.tls);
  io_->tls.emplace(io_->socket, io_->tls_context->get());
  SSL* ssl = io_->tls->native_handle();
  io_->tls_context->prepare(ssl, options_.host);
  boost::system::error_code ec;
  bool completed = false;
  io_->tls->async_handshake(asio::ssl::stream_base::client, [&](const boost::system::error_code& e) {
    ec = e;
    completed = true;
  });
  io_->wait(completed, deadline, "TLS handshake", *this);
  if (!ec) return;
  io_->broken = true;
  throw ConnectionError(fmt::format("errand: redis at {}: TLS handshake failed: {}", describe(),
                                    io_->tls_context->explain_failure(ssl, options_.host, ec)));
}

Connection::~Connection() = default;

bool Connection::usable() const noexcept { return !io_->broken; }

std::optional<std::int64_t> Connection::client_id() {
  if (!client_id_) {
    Commands commands;
    commands.add({"CLIENT", "ID"});
    const Reply reply = std::move(execute(commands).front());
    client_id_ = reply.type() == Reply::Type::integer ? std::optional(reply.as_integer()) : std::nullopt;
  }
  return *client_id_;
}

std::string Connection::describe() const {
  const bool ipv6 = options_.host.find(':') != std::string::npos;
  return fmt::format("{}://{}{}{}:{}/{}", options_.tls.enabled ? "rediss" : "redis", ipv6 ? "[" : "", options_.host,
                     ipv6 ? "]" : "", options_.port, options_.db);
}

std::vector<Reply> Connection::execute(const Commands& commands, std::chrono::milliseconds timeout) {
  const SteadyTime deadline = std::chrono::steady_clock::now() + timeout;
  send(commands, timeout);
  return receive(commands.size(), std::chrono::duration_cast<std::chrono::milliseconds>(
                                      deadline - std::chrono::steady_clock::now()));
}

void Connection::send(const Commands& commands, std::chrono::milliseconds timeout) {
  if (io_->broken) throw ConnectionError(fmt::format("errand: redis at {}: connection is broken", describe()));
  const SteadyTime deadline = std::chrono::steady_clock::now() + timeout;
  boost::system::error_code ec;
  bool completed = false;
  io_->on_stream([&](auto& stream) {
    asio::async_write(stream, asio::buffer(commands.wire()), [&](const boost::system::error_code& e, std::size_t) {
      ec = e;
      completed = true;
    });
  });
  io_->finish(ec, completed, deadline, "sending commands", *this);
}

std::vector<Reply> Connection::receive(std::size_t count, std::chrono::milliseconds timeout) {
  if (io_->broken) throw ConnectionError(fmt::format("errand: redis at {}: connection is broken", describe()));
  const SteadyTime deadline = std::chrono::steady_clock::now() + timeout;
  boost::system::error_code ec;
  bool completed = false;
  std::vector<Reply> replies;
  replies.reserve(count);
  while (replies.size() < count) {
    void* raw = nullptr;
    if (redisReaderGetReply(io_->reader.get(), &raw) != REDIS_OK) {
      io_->broken = true;
      throw ConnectionError(fmt::format("errand: redis at {}: protocol error: {}", describe(), io_->reader->errstr));
    }
    if (raw != nullptr) {
      const std::unique_ptr<redisReply, decltype(&freeReplyObject)> reply(static_cast<redisReply*>(raw),
                                                                           &freeReplyObject);
      replies.push_back(convert(*reply));
      continue;
    }
    std::size_t received = 0;
    completed = false;
    io_->on_stream([&](auto& stream) {
      stream.async_read_some(asio::buffer(io_->buffer), [&](const boost::system::error_code& e, std::size_t n) {
        ec = e;
        received = n;
        completed = true;
      });
    });
    io_->finish(ec, completed, deadline, "reading replies", *this);
    if (redisReaderFeed(io_->reader.get(), io_->buffer.data(), received) != REDIS_OK) {
      io_->broken = true;
      throw ConnectionError(fmt::format("errand: redis at {}: protocol error: {}", describe(), io_->reader->errstr));
    }
  }
  return replies;
}

int Connection::native_handle() { return io_->socket.native_handle(); }

Reply Connection::run(std::initializer_list<std::string_view> argv) {
  Commands commands;
  commands.add(argv);
  std::vector<Reply> replies = execute(commands);
  expect_ok(replies.front(), *argv.begin());
  return std::move(replies.front());
}

void expect_all_ok(const std::vector<Reply>& replies, std::string_view what) {
  for (const Reply& reply : replies) expect_ok(reply, what);
}

const Reply& expect_ok(const Reply& reply, std::string_view what) {
  if (reply.is_error()) throw StoreError(fmt::format("errand: redis {} failed: {}", what, reply.text()));
  return reply;
}

}  // namespace errand::redis
