// Workers: a class whose `perform` runs a job. Its parameter list is the job's args schema.
//
//   struct Welcome : errand::Worker<Welcome> {
//     static constexpr std::string_view class_name = "WelcomeWorker";  // optional: what Ruby sees
//     static errand::JobOptions options() { return {.queue = "mail", .retry = 5}; }  // optional
//     void perform(std::int64_t user_id, errand::Context& ctx);  // Context& is optional, last
//   };
//
// `Welcome` then runs jobs `{"class":"WelcomeWorker","args":[42],...}`, as Ruby's
// `WelcomeWorker.perform_async(42)` enqueues them. Without `class_name`, the class name
// is the C++ qualified type name (`billing::Welcome`), which Ruby spells the same way.
// A new instance runs each job.
#pragma once

#include <errand/args.hpp>
#include <errand/context.hpp>
#include <errand/detail/type_name.hpp>
#include <errand/error.hpp>
#include <errand/options.hpp>
#include <errand/retry.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

namespace errand {

/// Base of every worker (CRTP). Gives the defaults a worker may override.
template <class Derived>
struct Worker {
  /// Default options for this worker's jobs (queue, retry, ...).
  static JobOptions options() { return {}; }
};

namespace detail {

template <class... T> struct TypeList {};

template <class F> struct PerformSignature;
template <class C, class R, class... A> struct PerformSignature<R (C::*)(A...)> { using params = TypeList<A...>; };
template <class C, class R, class... A> struct PerformSignature<R (C::*)(A...) const> { using params = TypeList<A...>; };
template <class C, class R, class... A> struct PerformSignature<R (C::*)(A...) noexcept> { using params = TypeList<A...>; };
template <class C, class R, class... A> struct PerformSignature<R (C::*)(A...) const noexcept> { using params = TypeList<A...>; };

template <class List> struct SplitContext;
template <> struct SplitContext<TypeList<>> {
  using args = std::tuple<>;
  static constexpr bool takes_context = false;
};
template <class... A> struct SplitContext<TypeList<A...>> {
  using last = std::tuple_element_t<sizeof...(A) - 1, std::tuple<A...>>;
  static constexpr bool takes_context = std::is_same_v<std::remove_cvref_t<last>, Context>;
  template <std::size_t... I>
  static auto drop_last(std::index_sequence<I...>) -> std::tuple<std::remove_cvref_t<std::tuple_element_t<I, std::tuple<A...>>>...>;
  using all = std::tuple<std::remove_cvref_t<A>...>;
  using args = std::conditional_t<takes_context, decltype(drop_last(std::make_index_sequence<sizeof...(A) - 1>{})), all>;
};

template <class W, class = void> struct HasRetryIn : std::false_type {};
template <class W>
struct HasRetryIn<W, std::void_t<decltype(W::retry_in(std::int64_t{}, std::declval<const std::exception&>()))>>
    : std::true_type {};

template <class W, class = void> struct HasRetriesExhausted : std::false_type {};
template <class W>
struct HasRetriesExhausted<
    W, std::void_t<decltype(W::retries_exhausted(std::declval<const Job&>(), std::declval<const std::exception&>()))>>
    : std::true_type {};

template <class W, class = void> struct HasClassName : std::false_type {};
template <class W> struct HasClassName<W, std::void_t<decltype(W::class_name)>> : std::true_type {};

/// Throws ArgumentError: `errand: job <class> (jid <jid>): expected 2 arguments, got 1`.
[[noreturn]] void throw_arity_error(const Job& job, std::size_t expected, std::size_t actual);
/// Throws ArgumentError: `errand: job <class> (jid <jid>): argument <index><path>: <problem>`.
[[noreturn]] void throw_argument_error(const Job& job, std::size_t index, const ArgMismatch& mismatch);

}  // namespace detail

/// What errand knows about a worker type at compile time.
template <class W>
struct WorkerTraits {
  static_assert(std::is_class_v<W>, "errand: a worker is a class with a perform member function");
  using signature = detail::SplitContext<typename detail::PerformSignature<decltype(&W::perform)>::params>;
  /// The decayed types of perform's job arguments (Context& excluded).
  using args_tuple = typename signature::args;
  static constexpr std::size_t arity = std::tuple_size_v<args_tuple>;
  static constexpr bool takes_context = signature::takes_context;

  /// The Sidekiq `class` of this worker's jobs.
  static std::string class_name() {
    if constexpr (detail::HasClassName<W>::value) return std::string(W::class_name);
    else return detail::type_name<W>();
  }
  static JobOptions options() { return W::options(); }

  /// W's `static RetryIn retry_in(std::int64_t count, const std::exception&)`, if it has one.
  static RetryInHook retry_in_hook() {
    if constexpr (detail::HasRetryIn<W>::value) return &W::retry_in;
    else return {};
  }

  /// W's `static void retries_exhausted(const Job&, const std::exception&)`, if it has one.
  static JobErrorHandler retries_exhausted_hook() {
    if constexpr (detail::HasRetriesExhausted<W>::value) return &W::retries_exhausted;
    else return {};
  }

  /// Decodes `job`'s args into perform's parameter types. Throws errand::ArgumentError.
  static args_tuple decode_args(const Job& job) {
    const json::array& args = job.args();
    if (args.size() != arity) detail::throw_arity_error(job, arity, args.size());
    return decode_each(job, args, std::make_index_sequence<arity>{});
  }

  /// Encodes C++ arguments as a job's args, converting each to perform's parameter type
  /// first (so a mistake is a compile error, not a failed job).
  template <class... A>
  static json::array encode_args(A&&... values) {
    static_assert(sizeof...(A) == arity, "errand: wrong number of arguments for this worker's perform");
    return encode_each(std::make_index_sequence<arity>{}, std::forward<A>(values)...);
  }

  /// Runs `job` on `worker`: decode, then perform.
  static void invoke(W& worker, const Job& job, Context& ctx) {
    auto args = decode_args(job);
    std::apply(
        [&](auto&... a) {
          if constexpr (takes_context) worker.perform(a..., ctx);
          else worker.perform(a...);
        },
        args);
  }

 private:
  template <std::size_t... I>
  static args_tuple decode_each(const Job& job, const json::array& args, std::index_sequence<I...>) {
    return args_tuple{decode_one<I>(job, args)...};
  }

  template <std::size_t I>
  static std::tuple_element_t<I, args_tuple> decode_one(const Job& job, const json::array& args) {
    using T = std::tuple_element_t<I, args_tuple>;
    try {
      return ArgCodec<T>::decode(args[I]);
    } catch (const detail::ArgMismatch& m) {
      detail::throw_argument_error(job, I, m);
    }
  }

  template <std::size_t... I, class... A>
  static json::array encode_each(std::index_sequence<I...>, A&&... values) {
    json::array out;
    out.reserve(arity);
    (out.push_back(ArgCodec<std::tuple_element_t<I, args_tuple>>::encode(
         static_cast<const std::tuple_element_t<I, args_tuple>&>(values))),
     ...);
    return out;
  }
};

}  // namespace errand
