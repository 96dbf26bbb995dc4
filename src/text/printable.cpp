#include "pigeon/text/printable.hpp"

namespace pigeon::text {

std::string printable(std::string_view text) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    out.reserve(text.size());
    auto esc = [&](unsigned char c) {
        out += "\\x";
        out += hex[c >> 4];
        out += hex[c & 15];
    };
    for (std::size_t i = 0; i < text.size();) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 && c != '\t') {
            esc(c);
            ++i;
        } else if (c < 0x7f) {
            out.push_back(static_cast<char>(c));
            ++i;
        } else if (c == 0x7f) {
            esc(c);
            ++i;
        } else {
            // Validate one UTF-8 sequence; escape C1 controls and bad bytes.
            std::size_t len = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
            bool ok = len > 0 && i + len <= text.size();
            for (std::size_t k = 1; ok && k < len; ++k)
                ok = (static_cast<unsigned char>(text[i + k]) & 0xc0) == 0x80;
            if (ok && len == 2 && c == 0xc2 && static_cast<unsigned char>(text[i + 1]) < 0xa0) ok = false; // C1
            if (ok) {
                out.append(text.substr(i, len));
                i += len;
            } else {
                esc(c);
                ++i;
            }
        }
    }
    return out;
}

} // namespace pigeon::text
