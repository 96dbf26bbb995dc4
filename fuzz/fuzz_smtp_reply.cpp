// The SMTP reply parser fed raw server bytes in two pieces, with and without
// enhanced status codes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pigeon/smtp/reply_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    for (bool enhanced : {false, true}) {
        pigeon::smtp::reply_parser p;
        p.set_enhanced_status_codes(enhanced);
        std::size_t pos = 0;
        while (pos < in.size()) {
            auto eol = in.find('\n', pos);
            std::string_view line = in.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            auto st = p.feed_line(line);
            if (st == pigeon::smtp::reply_parser::status::ready) {
                (void)p.take();
            } else if (st == pigeon::smtp::reply_parser::status::error) {
                p.reset();
            }
            if (eol == std::string_view::npos) break;
            pos = eol + 1;
        }
    }
    return 0;
}
