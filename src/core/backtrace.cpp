#include "core/backtrace.hpp"

#include <errand/error.hpp>
#include <errand/json.hpp>

#include <cxxabi.h>
#include <dlfcn.h>
#include <execinfo.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <memory>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

namespace errand::detail {
namespace {

constexpr int max_frames = 64;

struct ThreadTrace {
  bool enabled = false;
  int depth = 0;
  std::array<void*, max_frames> frames{};
};
thread_local ThreadTrace trace;  // per thread: what its last hooked throw saw

std::string demangle_frame(const char* symbolized) {
  // glibc: "binary(mangled+0x1a) [0x5555...]"
  std::string line(symbolized);
  const auto open = line.find('(');
  const auto plus = line.find('+', open);
  if (open == std::string::npos || plus == std::string::npos || plus == open + 1) return line;
  const std::string mangled = line.substr(open + 1, plus - open - 1);
  int status = 0;
  const std::unique_ptr<char, decltype(&std::free)> name(abi::__cxa_demangle(mangled.c_str(), nullptr, nullptr, &status),
                                                         &std::free);
  if (status != 0 || !name) return line;
  return line.substr(0, open + 1) + name.get() + line.substr(plus);
}

std::vector<std::string> symbolize(void* const* frames, int depth) {
  std::vector<std::string> lines;
  const std::unique_ptr<char*, decltype(&std::free)> symbols(backtrace_symbols(frames, depth), &std::free);
  if (!symbols) return lines;
  for (int i = 0; i < depth; ++i) lines.push_back(demangle_frame(symbols.get()[i]));
  return lines;
}

constexpr std::string_view base64_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(std::string_view bytes, bool mime_lines) {
  std::string out;
  std::size_t line = 0;
  const auto put = [&](char c) {
    out.push_back(c);
    if (mime_lines && ++line == 60) {
      out.push_back('\n');
      line = 0;
    }
  };
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const auto b = [&](std::size_t k) { return k < bytes.size() ? static_cast<std::uint8_t>(bytes[k]) : 0U; };
    const std::uint32_t n = (b(i) << 16U) | (b(i + 1) << 8U) | b(i + 2);
    put(base64_alphabet[(n >> 18U) & 63U]);
    put(base64_alphabet[(n >> 12U) & 63U]);
    put(i + 1 < bytes.size() ? base64_alphabet[(n >> 6U) & 63U] : '=');
    put(i + 2 < bytes.size() ? base64_alphabet[n & 63U] : '=');
  }
  if (mime_lines && line != 0) out.push_back('\n');
  return out;
}

std::string unbase64(std::string_view text) {
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (const char c : text) {
    const auto at = base64_alphabet.find(c);
    if (at == std::string_view::npos) continue;  // newlines, padding
    bits = (bits << 6U) | static_cast<std::uint32_t>(at);
    if (++count == 4) {
      out.push_back(static_cast<char>((bits >> 16U) & 0xFFU));
      out.push_back(static_cast<char>((bits >> 8U) & 0xFFU));
      out.push_back(static_cast<char>(bits & 0xFFU));
      bits = 0;
      count = 0;
    }
  }
  if (count == 3) {
    out.push_back(static_cast<char>((bits >> 10U) & 0xFFU));
    out.push_back(static_cast<char>((bits >> 2U) & 0xFFU));
  } else if (count == 2) {
    out.push_back(static_cast<char>((bits >> 4U) & 0xFFU));
  }
  return out;
}

/// An RFC 1950 zlib stream of stored (uncompressed) deflate blocks: valid for any
/// inflater, Ruby's Zlib::Inflate included, and needs no zlib library.
std::string zlib_stored(std::string_view data) {
  std::string out{'\x78', '\x01'};
  std::size_t at = 0;
  do {
    const std::size_t length = std::min<std::size_t>(65535, data.size() - at);
    const bool last = at + length == data.size();
    out.push_back(last ? '\x01' : '\x00');
    out.push_back(static_cast<char>(length & 0xFFU));
    out.push_back(static_cast<char>(length >> 8U));
    out.push_back(static_cast<char>(~length & 0xFFU));
    out.push_back(static_cast<char>((~length >> 8U) & 0xFFU));
    out.append(data.substr(at, length));
    at += length;
  } while (at < data.size());
  std::uint32_t a = 1;
  std::uint32_t b = 0;
  for (const char c : data) {
    a = (a + static_cast<std::uint8_t>(c)) % 65521U;
    b = (b + a) % 65521U;
  }
  const std::uint32_t adler = (b << 16U) | a;
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((adler >> shift) & 0xFFU));
  return out;
}

std::string zlib_stored_inflate(std::string_view stream) {
  if (stream.size() < 6) throw PayloadError("errand: error_backtrace is too short to be a zlib stream");
  std::string out;
  std::size_t at = 2;
  for (;;) {
    if (at + 5 > stream.size()) throw PayloadError("errand: error_backtrace: truncated zlib block");
    const auto header = static_cast<std::uint8_t>(stream[at]);
    if ((header & 0x06U) != 0) throw PayloadError("errand: error_backtrace uses compressed blocks; only stored ones are read");
    const std::size_t length = static_cast<std::uint8_t>(stream[at + 1]) | (static_cast<std::uint8_t>(stream[at + 2]) << 8U);
    at += 5;
    if (at + length > stream.size()) throw PayloadError("errand: error_backtrace: truncated zlib block");
    out.append(stream.substr(at, length));
    at += length;
    if ((header & 0x01U) != 0) return out;
  }
}

}  // namespace

ThrowTraceScope::ThrowTraceScope(bool enabled) noexcept {
  trace.enabled = enabled;
  trace.depth = 0;
}

ThrowTraceScope::~ThrowTraceScope() { trace.enabled = false; }

std::vector<std::string> thrown_trace() {
  if (trace.depth > 0) return symbolize(trace.frames.data(), trace.depth);
  std::array<void*, max_frames> frames{};
  return symbolize(frames.data(), backtrace(frames.data(), max_frames));
}

std::string encode_error_backtrace(const std::vector<std::string>& lines, SidekiqVersion version) {
  json::array array;
  for (const auto& line : lines) array.emplace_back(line);
  return base64(zlib_stored(to_json(array)), version == SidekiqVersion::v6);
}

std::vector<std::string> decode_error_backtrace(std::string_view text) {
  const json::value v = parse_json(zlib_stored_inflate(unbase64(text)));
  std::vector<std::string> lines;
  for (const auto& line : v.as_array()) lines.emplace_back(line.as_string());
  return lines;
}

}  // namespace errand::detail

// The throw hook: the one place a C++ program can see where an exception was thrown.
// It records the stack only on a thread inside a ThrowTraceScope that asked for it,
// then hands over to the next __cxa_throw: the C++ runtime's own or, in a sanitizer
// build, the sanitizer's hook, which then calls the runtime's. (The sanitizer runtimes
// are shared libraries, which the program's own definition comes before.) ASan's hook
// clears the stack's poisoning before the unwind; it is done here as well, in case a
// runtime binds the next __cxa_throw past it.
namespace __cxxabiv1 {  // NOLINT: the C++ ABI's namespace, where <cxxabi.h> declares it
extern "C" void __cxa_throw(void* exception, std::type_info* type, void (*destroy)(void*)) {
  using Throw = void (*)(void*, std::type_info*, void (*)(void*));
  static const auto real = reinterpret_cast<Throw>(dlsym(RTLD_NEXT, "__cxa_throw"));  // NOLINT
  if (errand::detail::trace.enabled) {
    errand::detail::trace.depth = backtrace(errand::detail::trace.frames.data(), errand::detail::max_frames);
  }
#if defined(__SANITIZE_ADDRESS__)
  __asan_handle_no_return();
#endif
  real(exception, type, destroy);
  __builtin_unreachable();
}
}  // namespace __cxxabiv1
