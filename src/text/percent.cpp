#include "pigeon/text/percent.hpp"

namespace pigeon::text {

bool percent_decode(std::string_view in, std::string& out, percent_options options) {
    out.clear();
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c == '%') {
            const int hi = i + 2 < in.size() ? hex_value(in[i + 1]) : -1;
            const int lo = i + 2 < in.size() ? hex_value(in[i + 2]) : -1;
            if (hi >= 0 && lo >= 0) {
                c = static_cast<char>(hi * 16 + lo);
                i += 2;
            } else if (!options.keep_bad_escapes) {
                return false;
            }
        } else if (c == '+' && options.plus_is_space) {
            c = ' ';
        }
        if (options.refuse_line_breaks && (c == '\r' || c == '\n' || c == '\0')) return false;
        out.push_back(c);
    }
    return true;
}

} // namespace pigeon::text
