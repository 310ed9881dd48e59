// Stores whose waiting fetch holds several connections of a bounded pool at once.
#pragma once

#include <cstddef>

namespace errand::detail {

/// A store whose waiting fetch holds connections of a bounded pool (Redis: one blocking
/// connection per queue with reliable fetch, one without). Processor::start() reserves
/// what its fetcher will hold, so that a pool too small for the processor's queues (or
/// for them and other processors' on the same store) is refused at start, naming the
/// setting to raise, instead of failing every idle fetch; the reservation is given back
/// when the fetcher ends. Internal, as Store is.
class FetchConnections {
 public:
  FetchConnections() = default;
  FetchConnections(const FetchConnections&) = delete;
  FetchConnections& operator=(const FetchConnections&) = delete;
  virtual ~FetchConnections() = default;

  /// Reserves the connections a fetch waiting on `queues` queues holds at once. Throws
  /// errand::ConfigError, naming the setting, when the pool cannot hold them besides
  /// what other processors reserved.
  virtual void reserve_fetch_connections(std::size_t queues) = 0;
  /// Gives back what reserve_fetch_connections(queues) took.
  virtual void release_fetch_connections(std::size_t queues) noexcept = 0;
};

}  // namespace errand::detail
