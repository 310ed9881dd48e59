// Middleware: code that wraps every push (client side) or every job run (server side).
//
// A middleware is any callable taking the job (and, on the server, its Context) plus a
// `next` to call to continue. Not calling `next` stops the push or skips the job (it
// counts as done); throwing fails it (a push fails to the caller, a job goes to retry).
//
//   client.use([](errand::Job& job, const errand::ClientNext& next) {
//     job.set("tenant", "acme");     // stored with the job
//     next();
//   });
//   processor.use([](errand::Job& job, errand::Context& ctx, const errand::ServerNext& next) {
//     auto t0 = std::chrono::steady_clock::now();
//     next();
//     ctx.logger().info("took " + ...);
//   });
#pragma once

#include <errand/context.hpp>
#include <errand/job.hpp>

#include <cstddef>
#include <functional>
#include <tuple>
#include <utility>
#include <vector>

namespace errand {
namespace detail {

template <class... Args>
class MiddlewareChain {
 public:
  using Terminal = std::function<void(Args&...)>;

  class Next {
   public:
    /// Runs the rest of the chain (and finally the push or the job).
    void operator()() const { chain_->run(index_, args_, *terminal_); }

   private:
    friend MiddlewareChain;
    Next(const MiddlewareChain* chain, std::size_t index, std::tuple<Args&...> args, const Terminal* terminal)
        : chain_(chain), index_(index), args_(args), terminal_(terminal) {}
    const MiddlewareChain* chain_;
    std::size_t index_;
    std::tuple<Args&...> args_;
    const Terminal* terminal_;
  };

  using Middleware = std::function<void(Args&..., const Next&)>;

  void add(Middleware middleware) { middlewares_.push_back(std::move(middleware)); }
  [[nodiscard]] bool empty() const noexcept { return middlewares_.empty(); }

  /// Runs every middleware in order of addition, then `terminal` (if they all call next).
  void invoke(Args&... args, const Terminal& terminal) const {
    run(0, std::tuple<Args&...>(args...), terminal);
  }

 private:
  void run(std::size_t index, std::tuple<Args&...> args, const Terminal& terminal) const {
    if (index == middlewares_.size()) {
      std::apply(terminal, args);
      return;
    }
    const Next next(this, index + 1, args, &terminal);
    std::apply([&](Args&... a) { middlewares_[index](a..., next); }, args);
  }

  std::vector<Middleware> middlewares_;
};

}  // namespace detail

using ClientMiddlewareChain = detail::MiddlewareChain<Job>;
using ClientNext = ClientMiddlewareChain::Next;
using ClientMiddleware = ClientMiddlewareChain::Middleware;

using ServerMiddlewareChain = detail::MiddlewareChain<Job, Context>;
using ServerNext = ServerMiddlewareChain::Next;
using ServerMiddleware = ServerMiddlewareChain::Middleware;

}  // namespace errand
