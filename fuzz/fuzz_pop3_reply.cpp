// POP3 server lines: every line of the input as a status line (RFC 1939,
// RFC 2449 response codes) and as a line inside an AUTH exchange (RFC 5034),
// and all the lines together as a CAPA list. Checks what the headers promise.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "pigeon/pop3/capabilities.hpp"
#include "pigeon/pop3/reply.hpp"

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
    namespace pop3 = pigeon::pop3;
    auto r = pop3::parse_reply(line);
    if (r) {
        check(r->line == line);
        check(r->text.size() + r->code.size() <= line.size());
        if (r->ok) check(!r->transient());
        if (!r->code.empty()) check(r->has_code(r->code));
        (void)r->has_code("SYS");
        (void)r->has_code("");
    }
    auto a = pop3::parse_auth_line(line);
    switch (a.type) {
    case pop3::auth_line::kind::ok:
    case pop3::auth_line::kind::err:
        check(a.status.has_value() && r.has_value());
        check(a.status->ok == (a.type == pop3::auth_line::kind::ok));
        break;
    case pop3::auth_line::kind::continuation:
        check(!a.status && !line.empty() && line[0] == '+');
        check(a.payload.size() < line.size());
        break;
    case pop3::auth_line::kind::invalid:
        check(!a.status && !r);
        break;
    }
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
    auto caps = pigeon::pop3::capabilities::parse(lines);
    check(caps.lines().size() == caps.entries().size());
    check(caps.entries().size() <= lines.size());
    for (const auto& e : caps.entries()) {
        check(!e.keyword.empty() && upper_only(e.keyword));
        check(caps.has(e.keyword));
    }
    for (const auto& m : caps.sasl_mechanisms()) check(upper_only(m));
    (void)caps.implementation();
    (void)caps.stls();
    (void)caps.user();
    (void)caps.pipelining();
    (void)caps.resp_codes();
    (void)caps.top();
    (void)caps.uidl();
    (void)caps.arguments("EXPIRE");
    return 0;
}
