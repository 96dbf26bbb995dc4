#include "pigeon/mime/encode_header.hpp"

#include "pigeon/mime/compose_error.hpp"

#include <vector>

namespace pigeon::mime {
namespace {

bool is_wsp(char c) noexcept { return c == ' ' || c == '\t'; }

// Offsets in `text` where a fold may go: before a space/tab that is followed
// by a non-space. With `inside_quotes` false, positions inside a quoted
// string (or just after a backslash) are skipped.
std::vector<std::size_t> fold_points(std::string_view text, bool inside_quotes)
{
    std::vector<std::size_t> points;
    bool quoted = false, escaped = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (escaped) {
            escaped = false;
            continue;
        }
        if (c == '\\' && quoted) {
            escaped = true;
            continue;
        }
        if (c == '"') {
            quoted = !quoted;
            continue;
        }
        if (is_wsp(c) && i > 0 && i + 1 < text.size() && !is_wsp(text[i + 1]) && (!quoted || inside_quotes))
            points.push_back(i);
    }
    return points;
}

} // namespace

std::error_code check_header_name(std::string_view name) noexcept
{
    if (name.empty() || name.size() > 76) return compose_errc::invalid_header_name;
    for (char ch : name) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 33 || c > 126 || c == ':') return compose_errc::invalid_header_name;
    }
    return {};
}

bool has_non_ascii(std::string_view text) noexcept
{
    for (char c : text)
        if (static_cast<unsigned char>(c) >= 0x80) return true;
    return false;
}

std::error_code check_header_text(std::string_view s) noexcept
{
    std::error_code utf8_error;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == '\r' || c == '\n' || c == 0) return compose_errc::forbidden_character;
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t n = 0;
        std::uint32_t cp = 0;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 2;
            cp = c & 0x1Fu;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 3;
            cp = c & 0x0Fu;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 4;
            cp = c & 0x07u;
        }
        bool ok = n != 0 && i + n <= s.size();
        for (std::size_t k = 1; ok && k < n; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) ok = false;
            cp = (cp << 6) | (cc & 0x3Fu);
        }
        if (ok) {
            if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
                (cp >= 0xD800 && cp <= 0xDFFF))
                ok = false;
        }
        if (!ok) {
            // Keep looking: a line break later on is the more important report.
            if (!utf8_error) utf8_error = compose_errc::invalid_utf8;
            ++i;
            continue;
        }
        if (cp == 0x85 || cp == 0x2028 || cp == 0x2029) return compose_errc::forbidden_character;
        i += n;
    }
    return utf8_error;
}

std::error_code fold_header(std::string_view name, std::string_view value, std::string& out, fold_options opt)
{
    if (auto ec = check_header_name(name)) return ec;
    for (char c : value)
        if (c == '\r' || c == '\n' || c == '\0') return compose_errc::forbidden_character;
    if (opt.hard_limit < opt.soft_limit) opt.soft_limit = opt.hard_limit;

    std::string text;
    text.reserve(value.size() + name.size() + 8);
    text.append(name);
    text += ':';
    if (value.empty()) {
        out.append(text).append("\r\n");
        return {};
    }
    const std::size_t value_at = text.size();
    text += ' ';
    text.append(value);

    // Chunks start at fold points; the first starts at 0 (with the name).
    auto points = fold_points(std::string_view(text).substr(value_at), false);
    std::vector<std::size_t> starts{0};
    for (auto p : points) starts.push_back(p + value_at);
    std::string result;
    result.reserve(text.size() + text.size() / 32 + 4);
    std::size_t col = 0;
    for (std::size_t k = 0; k < starts.size(); ++k) {
        const std::size_t b = starts[k];
        const std::size_t e = k + 1 < starts.size() ? starts[k + 1] : text.size();
        std::string_view chunk = std::string_view(text).substr(b, e - b);
        if (k == 0) {
            // "Name: firstword". A fold right after the colon (the space there
            // is FWS) is used when the first word does not fit beside the name.
            const std::size_t alone = chunk.size() - value_at; // " firstword" on a line of its own
            if ((chunk.size() > opt.soft_limit && alone <= opt.soft_limit && alone > 1) ||
                (chunk.size() > opt.hard_limit && alone <= opt.hard_limit)) {
                result.append(chunk.substr(0, value_at)).append("\r\n");
                chunk.remove_prefix(value_at);
            }
            result.append(chunk);
            col = chunk.size();
            continue;
        }
        if (col + chunk.size() > opt.soft_limit) {
            result.append("\r\n");
            col = 0;
        }
        result.append(chunk);
        col += chunk.size();
    }
    // Any line still over the hard limit: refold it at spaces inside quotes.
    std::string final_text;
    final_text.reserve(result.size() + 8);
    std::size_t line_start = 0;
    while (line_start <= result.size()) {
        std::size_t line_end = result.find("\r\n", line_start);
        if (line_end == std::string::npos) line_end = result.size();
        std::string_view line = std::string_view(result).substr(line_start, line_end - line_start);
        if (line.size() > opt.hard_limit) {
            auto inner = fold_points(line, true);
            std::size_t cur = 0; // start of the current output piece within line
            std::size_t last_ok = std::string::npos;
            for (std::size_t idx = 0; idx <= inner.size(); ++idx) {
                const std::size_t p = idx < inner.size() ? inner[idx] : line.size();
                if (p - cur > opt.hard_limit) {
                    if (last_ok == std::string::npos || last_ok == cur) return compose_errc::header_too_long;
                    final_text.append(line.substr(cur, last_ok - cur)).append("\r\n");
                    cur = last_ok;
                    if (p - cur > opt.hard_limit) return compose_errc::header_too_long;
                }
                last_ok = p;
            }
            final_text.append(line.substr(cur));
        } else {
            final_text.append(line);
        }
        final_text.append("\r\n");
        if (line_end == result.size()) break;
        line_start = line_end + 2;
    }
    out.append(final_text);
    return {};
}

} // namespace pigeon::mime
