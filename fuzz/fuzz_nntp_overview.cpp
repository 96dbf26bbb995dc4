// The NNTP overview parsers as the client drives them: a LIST OVERVIEW.FMT
// response (the input up to the first NUL), then OVER / XOVER lines (the
// rest), split into lines by core::line_splitter fed in two data-chosen
// pieces. Invariants: the format keeps at most max_fields fields; a parsed
// line keeps at most max_fields extras; a line whose first field is not a
// number is refused; parsing never throws and never hangs.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "pigeon/core/line_splitter.hpp"
#include "pigeon/nntp/overview.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace pigeon;
    std::string_view in(reinterpret_cast<const char*>(data), size);
    auto nul = in.find('\0');
    std::string_view fmt_text = in.substr(0, nul);
    std::string_view lines = nul == std::string_view::npos ? std::string_view{} : in.substr(nul + 1);

    std::vector<std::string> fmt_lines;
    core::line_splitter fmt_split([&](std::string_view l) { fmt_lines.emplace_back(l); }, 4096);
    fmt_split.feed(fmt_text);
    fmt_split.finish();
    auto fmt = fmt_lines.empty() ? nntp::overview_format::standard() : nntp::overview_format::parse(fmt_lines);
    if (fmt.fields().size() > nntp::overview_format::max_fields) std::abort();

    core::line_splitter split(
        [&](std::string_view line) {
            std::error_code ec;
            auto e = nntp::parse_overview_line(line, fmt, ec);
            if (e) {
                if (ec) std::abort();
                if (e->extra.size() > nntp::overview_format::max_fields) std::abort();
                // The first field must have been all digits.
                auto first = line.substr(0, line.find('\t'));
                bool digit = false;
                for (char c : first) digit = digit || (c >= '0' && c <= '9');
                if (!digit) std::abort();
            } else if (!ec) {
                std::abort();
            }
        },
        64 * 1024);
    std::size_t cut = size ? data[size - 1] % (lines.size() + 1) : 0;
    split.feed(lines.substr(0, cut));
    split.feed(lines.substr(cut));
    split.finish();
    return 0;
}
