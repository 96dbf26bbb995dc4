#pragma once
// Byte sinks and sources: how message data flows without being held whole.
// Plain std::function signatures, so modules that do not depend on net (mime)
// can produce and consume the same callables.
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace pigeon::net {

/// Receives bytes in order; called any number of times.
using sink_fn = std::function<void(std::string_view)>;

/// Fills buf with up to cap bytes and returns how many; 0 means the end.
using source_fn = std::function<std::size_t(char* buf, std::size_t cap)>;

/// A sink appending to a string (for small bodies and tests).
inline sink_fn string_sink(std::string& out) {
    return [&out](std::string_view b) { out.append(b); };
}

/// A source reading from a string view that must outlive it.
inline source_fn string_source(std::string_view data) {
    return [data, pos = std::size_t{0}](char* buf, std::size_t cap) mutable {
        std::size_t n = std::min(cap, data.size() - pos);
        data.copy(buf, n, pos);
        pos += n;
        return n;
    };
}

} // namespace pigeon::net
