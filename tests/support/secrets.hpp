#pragma once
// Trace collection and the forms a secret could take in a trace: itself and
// its base64 at each of the three alignments it can have inside a longer
// base64 payload (as in AUTH PLAIN's "\0user\0password"). Used by the fake
// and integration tests of the protocol clients.
#include <string>
#include <string_view>
#include <vector>

#include "pigeon/net/trace.hpp"

namespace pigeon::test::secrets {

inline std::string base64(std::string_view in) {
    static const char* tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 3 <= in.size(); i += 3) {
        unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                     static_cast<unsigned char>(in[i + 2]);
        out += tbl[(v >> 18) & 63];
        out += tbl[(v >> 12) & 63];
        out += tbl[(v >> 6) & 63];
        out += tbl[v & 63];
    }
    if (i + 1 == in.size()) {
        unsigned v = static_cast<unsigned char>(in[i]) << 16;
        out += tbl[(v >> 18) & 63];
        out += tbl[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == in.size()) {
        unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
        out += tbl[(v >> 18) & 63];
        out += tbl[(v >> 12) & 63];
        out += tbl[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

/// The secret and the base64 characters that depend on its bytes alone, for
/// every alignment (whole 3-byte groups of secret.substr(j), j = 0, 1, 2).
inline std::vector<std::string> forms(std::string_view secret) {
    std::vector<std::string> out{std::string(secret)};
    for (std::size_t j = 0; j < 3 && j < secret.size(); ++j) {
        auto t = secret.substr(j);
        auto whole = base64(t.substr(0, t.size() / 3 * 3));
        if (whole.size() >= 4) out.push_back(whole);
    }
    return out;
}

/// A trace hook recording everything (sent, received, info) into one string.
struct recorder {
    std::string text;
    net::trace_options options(bool show_data = true) {
        net::trace_options t;
        t.show_data = show_data;  // the most verbose level short of show_secrets
        t.hook = [this](net::trace_direction d, std::string_view s) {
            text += d == net::trace_direction::sent ? "C: " : d == net::trace_direction::received ? "S: " : "=: ";
            text.append(s);
            text += '\n';
        };
        return t;
    }
};

/// The first form of secret found in text, or empty.
inline std::string leaked(const std::string& text, std::string_view secret) {
    for (const auto& f : forms(secret))
        if (text.find(f) != std::string::npos) return f;
    return {};
}

/// Does text hold any form of secret?
inline bool contains_any_form(const std::string& text, std::string_view secret) {
    return !leaked(text, secret).empty();
}

} // namespace pigeon::test::secrets
