// NNTP server lines: every line of the input as a status line (RFC 3977
// section 3.2), and all the lines together as a CAPABILITIES list (section
// 5.2). Checks what the headers promise.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "pigeon/nntp/capabilities.hpp"
#include "pigeon/nntp/reply.hpp"

namespace {

void check(bool c) {
    if (!c) std::abort();
}

bool upper_only(std::string_view s) {
    for (char c : s)
        if (c >= 'a' && c <= 'z') return false;
    return true;
}

void one_line(std::string_view line) {
    auto r = pigeon::nntp::parse_reply(line);
    if (!r) return;
    check(r->code >= 100 && r->code <= 599);
    check(r->line == line);
    check(r->text.size() + 3 <= line.size());
    check(r->positive() == (r->code < 400));
    if (r->transient()) check(r->code / 100 == 4);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    std::vector<std::string> lines;
    std::size_t pos = 0;
    while (pos <= in.size()) {
        auto eol = in.find('\n', pos);
        std::string_view line = in.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        one_line(line);
        lines.emplace_back(line);
        if (eol == std::string_view::npos) break;
        pos = eol + 1;
    }
    auto caps = pigeon::nntp::capabilities::parse(lines);
    check(caps.lines().size() == caps.entries().size());
    check(caps.entries().size() <= lines.size());
    for (const auto& e : caps.entries()) {
        check(!e.keyword.empty() && upper_only(e.keyword));
        check(caps.has(e.keyword));
        // A repeated keyword: the first line counts.
        if (&caps.arguments(e.keyword) == &e.arguments)
            for (const auto& a : e.arguments) check(caps.has_argument(e.keyword, a));
    }
    const int v = caps.version();
    check(v >= 0 && v <= 999999);
    for (const auto& m : caps.sasl_mechanisms()) check(upper_only(m));
    for (const auto& m : caps.list_variants()) check(upper_only(m));
    (void)caps.implementation();
    (void)caps.reader();
    (void)caps.mode_reader();
    (void)caps.starttls();
    (void)caps.post();
    (void)caps.ihave();
    (void)caps.over();
    (void)caps.hdr();
    (void)caps.newnews();
    (void)caps.authinfo_user();
    (void)caps.authinfo_sasl();
    return 0;
}
