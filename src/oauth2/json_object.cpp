#include "pigeon/oauth2/json_object.hpp"

#include <cstdint>

#include "pigeon/oauth2/error.hpp"

namespace pigeon::oauth2 {
namespace {

class reader {
public:
    reader(std::string_view s, const json_limits& l) : s_(s), limits_(l) {}

    bool object(json_object& out) {
        skip_space();
        if (!take('{')) return false;
        skip_space();
        if (take('}')) return true;
        std::size_t members = 0;
        for (;;) {
            if (++members > limits_.max_members) return false;
            std::string key;
            skip_space();
            if (!string(key)) return false;
            skip_space();
            if (!take(':')) return false;
            skip_space();
            json_value v;
            if (!value(v, 1)) return false;
            out[std::move(key)] = std::move(v);
            skip_space();
            if (take('}')) return true;
            if (!take(',')) return false;
        }
    }

    bool at_end() {
        skip_space();
        return pos_ == s_.size();
    }

private:
    bool value(json_value& v, std::size_t depth) {
        if (pos_ >= s_.size()) return false;
        const char c = s_[pos_];
        if (c == '"') {
            v.type = json_value::kind::string;
            return string(v.text);
        }
        if (c == '{' || c == '[') {
            v.type = json_value::kind::nested;
            return skip_nested(depth);
        }
        if (literal("true")) {
            v = {json_value::kind::boolean, "true"};
            return true;
        }
        if (literal("false")) {
            v = {json_value::kind::boolean, "false"};
            return true;
        }
        if (literal("null")) {
            v = {json_value::kind::null, {}};
            return true;
        }
        v.type = json_value::kind::number;
        return number(v.text);
    }

    bool skip_nested(std::size_t depth) {
        if (depth > limits_.max_depth) return false;
        const char open = s_[pos_++];
        const char close = open == '{' ? '}' : ']';
        skip_space();
        if (take(close)) return true;
        for (;;) {
            skip_space();
            if (open == '{') {
                std::string ignored;
                if (!string(ignored)) return false;
                skip_space();
                if (!take(':')) return false;
                skip_space();
            }
            json_value v;
            if (!value(v, depth + 1)) return false;
            skip_space();
            if (take(close)) return true;
            if (!take(',')) return false;
        }
    }

    bool number(std::string& out) {
        const std::size_t start = pos_;
        take('-');
        if (take('0')) {
        } else if (!digits()) {
            return false;
        }
        if (take('.') && !digits()) return false;
        if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
            ++pos_;
            if (!take('+')) take('-');
            if (!digits()) return false;
        }
        out.assign(s_.substr(start, pos_ - start));
        return true;
    }

    bool digits() {
        const std::size_t start = pos_;
        while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
        return pos_ > start;
    }

    static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    bool hex4(std::uint32_t& cp) {
        if (s_.size() - pos_ < 4) return false;
        cp = 0;
        for (int i = 0; i < 4; ++i) {
            int h = hex(s_[pos_++]);
            if (h < 0) return false;
            cp = cp * 16 + static_cast<std::uint32_t>(h);
        }
        return true;
    }

    /// UTF-8 for a code point (JSON escapes are at most U+10FFFF): a lead
    /// byte carrying the high bits, then 6 bits per continuation byte.
    static void put_utf8(std::string& out, std::uint32_t cp) {
        if (cp < 0x80) {
            out.push_back(static_cast<char>(cp));
            return;
        }
        const int tail = cp < 0x800 ? 1 : cp < 0x10000 ? 2 : 3;
        static constexpr unsigned char lead[] = {0, 0xC0, 0xE0, 0xF0};
        out.push_back(static_cast<char>(lead[tail] | (cp >> (6 * tail))));
        for (int i = tail - 1; i >= 0; --i) out.push_back(static_cast<char>(0x80 | ((cp >> (6 * i)) & 0x3F)));
    }

    bool escape(std::string& out) {
        if (pos_ >= s_.size()) return false;
        const char e = s_[pos_++];
        switch (e) {
        case '"': out.push_back('"'); return true;
        case '\\': out.push_back('\\'); return true;
        case '/': out.push_back('/'); return true;
        case 'b': out.push_back('\b'); return true;
        case 'f': out.push_back('\f'); return true;
        case 'n': out.push_back('\n'); return true;
        case 'r': out.push_back('\r'); return true;
        case 't': out.push_back('\t'); return true;
        case 'u': break;
        default: return false;
        }
        std::uint32_t cp = 0;
        if (!hex4(cp)) return false;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a lone low surrogate
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            std::uint32_t low = 0;
            if (!take('\\') || !take('u') || !hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        put_utf8(out, cp);
        return true;
    }

    bool string(std::string& out) {
        if (!take('"')) return false;
        out.clear();
        while (pos_ < s_.size()) {
            const char c = s_[pos_++];
            if (c == '"') return true;
            if (static_cast<unsigned char>(c) < 0x20) return false;
            if (c == '\\') {
                if (!escape(out)) return false;
                continue;
            }
            out.push_back(c);
        }
        return false;
    }

    bool literal(std::string_view word) {
        if (s_.substr(pos_, word.size()) != word) return false;
        pos_ += word.size();
        return true;
    }

    bool take(char c) {
        if (pos_ < s_.size() && s_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }

    void skip_space() {
        while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
            ++pos_;
    }

    std::string_view s_;
    const json_limits& limits_;
    std::size_t pos_ = 0;
};

} // namespace

std::error_code parse_json_object(std::string_view text, json_object& out, const json_limits& limits) {
    out.clear();
    if (text.size() > limits.max_bytes) return errc::bad_response;
    reader r(text, limits);
    if (!r.object(out) || !r.at_end()) {
        out.clear();
        return errc::bad_response;
    }
    return {};
}

} // namespace pigeon::oauth2
