#pragma once
// Capturing a client's trace into a string: every line sent, received or
// noted, one per line, with message data shown (the most verbose level
// short of show_secrets), so a test can search it for secrets.
#include <string>
#include <string_view>

#include "pigeon/net/trace.hpp"

namespace pigeon::test {

/// Trace options appending to text, which must outlive the connection.
inline net::trace_options capture_trace(std::string& text) {
    net::trace_options t;
    t.show_data = true;
    t.hook = [&text](net::trace_direction, std::string_view s) {
        text.append(s);
        text += '\n';
    };
    return t;
}

} // namespace pigeon::test
