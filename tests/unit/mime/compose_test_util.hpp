#pragma once
// Small decoders and message helpers for the composer's tests only: they let
// the tests check that what the encoders write decodes back to the input,
// without depending on the MIME parser.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pigeon::test::compose {

inline int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/// Base64 decoding that skips CR and LF (and fails on anything else odd:
/// returns "<bad>").
inline std::string decode_base64(std::string_view in)
{
    static const std::string_view alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    std::size_t pad = 0;
    for (char c : in) {
        if (c == '\r' || c == '\n') continue;
        if (c == '=') {
            ++pad;
            continue;
        }
        if (pad) return "<bad>";
        const auto v = alpha.find(c);
        if (v == std::string_view::npos) return "<bad>";
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xFF);
        }
    }
    return out;
}

/// Quoted-printable decoding: "=\r\n" vanishes, "=XX" is a byte, CRLF stays.
inline std::string decode_qp(std::string_view in)
{
    std::string out;
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '=') {
            out += in[i];
            continue;
        }
        if (i + 2 < in.size() + 0 && in[i + 1] == '\r' && in[i + 2] == '\n') {
            i += 2;
            continue;
        }
        if (i + 2 < in.size() && hexval(in[i + 1]) >= 0 && hexval(in[i + 2]) >= 0) {
            out += static_cast<char>(hexval(in[i + 1]) * 16 + hexval(in[i + 2]));
            i += 2;
            continue;
        }
        return "<bad>";
    }
    return out;
}

/// Decodes one encoded word "=?UTF-8?Q?...?=" / "=?UTF-8?B?...?="; sets ok.
inline std::string decode_word(std::string_view w, bool& ok)
{
    ok = false;
    if (w.size() < 12 || w.substr(0, 2) != "=?" || w.substr(w.size() - 2) != "?=") return {};
    const auto q1 = w.find('?', 2);
    if (q1 == std::string_view::npos || q1 + 3 > w.size()) return {};
    const char enc = w[q1 + 1];
    if (w[q1 + 2] != '?') return {};
    const std::string_view payload = w.substr(q1 + 3, w.size() - q1 - 5);
    if (payload.find('?') != std::string_view::npos || payload.find(' ') != std::string_view::npos) return {};
    std::string out;
    if (enc == 'B' || enc == 'b') {
        out = decode_base64(payload);
        if (out == "<bad>") return {};
    } else if (enc == 'Q' || enc == 'q') {
        for (std::size_t i = 0; i < payload.size(); ++i) {
            if (payload[i] == '_') out += ' ';
            else if (payload[i] == '=') {
                if (i + 2 >= payload.size() + 0 || hexval(payload[i + 1]) < 0 || hexval(payload[i + 2]) < 0) return {};
                out += static_cast<char>(hexval(payload[i + 1]) * 16 + hexval(payload[i + 2]));
                i += 2;
            } else {
                out += payload[i];
            }
        }
    } else {
        return {};
    }
    ok = true;
    return out;
}

/// Decodes unstructured header text: encoded words are decoded, whitespace
/// between two encoded words is dropped (RFC 2047 section 6.2).
inline std::string decode_header_text(std::string_view s)
{
    std::string out;
    std::string pending_ws;
    bool prev_encoded = false;
    std::size_t i = 0;
    while (i < s.size()) {
        std::size_t j = i;
        const bool ws = s[i] == ' ' || s[i] == '\t';
        while (j < s.size() && ((s[j] == ' ' || s[j] == '\t') == ws)) ++j;
        std::string_view tok = s.substr(i, j - i);
        i = j;
        if (ws) {
            pending_ws = std::string(tok);
            continue;
        }
        bool ok = false;
        std::string dec = decode_word(tok, ok);
        if (ok) {
            if (!prev_encoded) out += pending_ws;
            out += dec;
        } else {
            out += pending_ws;
            out += tok;
        }
        pending_ws.clear();
        prev_encoded = ok;
    }
    out += pending_ws;
    return out;
}

/// Removes CRLF before whitespace (RFC 5322 unfolding).
inline std::string unfold(std::string_view s)
{
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r' && i + 2 < s.size() + 1 && i + 1 < s.size() && s[i + 1] == '\n' && i + 2 < s.size() &&
            (s[i + 2] == ' ' || s[i + 2] == '\t')) {
            ++i;
            continue;
        }
        out += s[i];
    }
    return out;
}

/// Lines split at CRLF (the last piece without CRLF included if not empty).
inline std::vector<std::string_view> crlf_lines(std::string_view s)
{
    std::vector<std::string_view> out;
    std::size_t from = 0;
    while (from < s.size()) {
        const auto e = s.find("\r\n", from);
        if (e == std::string_view::npos) {
            out.push_back(s.substr(from));
            break;
        }
        out.push_back(s.substr(from, e - from));
        from = e + 2;
    }
    return out;
}

inline std::size_t max_line(std::string_view s)
{
    std::size_t m = 0;
    for (auto l : crlf_lines(s)) m = l.size() > m ? l.size() : m;
    return m;
}

/// True if every CR is followed by LF and every LF preceded by CR.
inline bool only_crlf(std::string_view s)
{
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r' && (i + 1 >= s.size() || s[i + 1] != '\n')) return false;
        if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) return false;
    }
    return true;
}

struct entity {
    std::vector<std::pair<std::string, std::string>> headers; // name, unfolded value
    std::string body;

    std::string get(std::string_view name) const
    {
        for (const auto& [n, v] : headers) {
            if (n.size() != name.size()) continue;
            bool eq = true;
            for (std::size_t i = 0; i < n.size(); ++i)
                if ((n[i] | 0x20) != (name[i] | 0x20)) eq = false;
            if (eq) return v;
        }
        return {};
    }
    std::size_t count(std::string_view name) const
    {
        std::size_t c = 0;
        for (const auto& [n, v] : headers) {
            bool eq = n.size() == name.size();
            for (std::size_t i = 0; eq && i < n.size(); ++i)
                if ((n[i] | 0x20) != (name[i] | 0x20)) eq = false;
            c += eq;
        }
        return c;
    }
};

/// Splits an entity into header fields and body at the first empty line.
inline entity parse_entity(std::string_view s)
{
    entity e;
    auto end = s.find("\r\n\r\n");
    std::string_view head = s.substr(0, end == std::string_view::npos ? s.size() : end + 2);
    e.body = end == std::string_view::npos ? std::string() : std::string(s.substr(end + 4));
    const std::string unfolded = unfold(head);
    for (auto line : crlf_lines(unfolded)) {
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        std::string_view v = line.substr(colon + 1);
        if (!v.empty() && v.front() == ' ') v.remove_prefix(1);
        e.headers.emplace_back(std::string(line.substr(0, colon)), std::string(v));
    }
    return e;
}

/// Value of a parameter in a header value (simple: name="..." or name=token).
inline std::string param_value(std::string_view header_value, std::string_view name)
{
    const std::string key = "; " + std::string(name) + "=";
    auto p = header_value.find(key);
    if (p == std::string_view::npos) return {};
    p += key.size();
    if (p < header_value.size() && header_value[p] == '"') {
        std::string out;
        for (std::size_t i = p + 1; i < header_value.size() && header_value[i] != '"'; ++i) {
            if (header_value[i] == '\\') ++i;
            out += header_value[i];
        }
        return out;
    }
    auto e = header_value.find(';', p);
    return std::string(header_value.substr(p, e == std::string_view::npos ? std::string_view::npos : e - p));
}

/// The body parts of a multipart body with the given boundary.
inline std::vector<std::string> split_multipart(std::string_view body, std::string_view boundary, bool& closed)
{
    std::vector<std::string> parts;
    closed = false;
    const std::string delim = "--" + std::string(boundary);
    std::size_t pos = 0;
    if (body.substr(0, delim.size()) != delim) {
        pos = body.find("\r\n" + delim);
        if (pos == std::string_view::npos) return parts;
        pos += 2;
    }
    for (;;) {
        // pos at a delimiter line
        std::size_t after = pos + delim.size();
        if (body.substr(after, 2) == "--") {
            closed = true;
            break;
        }
        if (body.substr(after, 2) != "\r\n") break;
        after += 2;
        const auto next = body.find("\r\n" + delim, after);
        if (next == std::string_view::npos) break;
        parts.emplace_back(body.substr(after, next - after));
        pos = next + 2;
    }
    return parts;
}

} // namespace pigeon::test::compose
