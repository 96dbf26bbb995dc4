#include "pigeon/pop3/reply.hpp"

#include "pigeon/net/ascii.hpp"

namespace pigeon::pop3 {

bool reply::has_code(std::string_view c) const noexcept {
    if (code.size() < c.size()) return false;
    if (!net::ascii::iequals(std::string_view(code).substr(0, c.size()), c)) return false;
    return code.size() == c.size() || code[c.size()] == '/';
}

bool reply::transient() const noexcept {
    if (ok) return false;
    return has_code("IN-USE") || has_code("LOGIN-DELAY") || has_code("SYS/TEMP");
}

std::optional<reply> parse_reply(std::string_view line) {
    reply r;
    std::string_view rest;
    if (net::ascii::istarts_with(line, "+OK")) {
        r.ok = true;
        rest = line.substr(3);
    } else if (net::ascii::istarts_with(line, "-ERR")) {
        r.ok = false;
        rest = line.substr(4);
    } else {
        return std::nullopt;
    }
    if (!rest.empty() && rest.front() != ' ') return std::nullopt;  // "+OKAY" is not a status
    if (!rest.empty()) rest.remove_prefix(1);
    // RFC 2449 section 8: resp-code = "[" resp-level *("/" resp-level) "]".
    if (!rest.empty() && rest.front() == '[') {
        auto close = rest.find(']');
        if (close != std::string_view::npos) {
            r.code.assign(rest.substr(1, close - 1));
            rest.remove_prefix(close + 1);
            if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
        }
    }
    r.text.assign(rest);
    r.line.assign(line);
    return r;
}

auth_line parse_auth_line(std::string_view line) {
    auth_line a;
    if (auto r = parse_reply(line)) {
        a.type = r->ok ? auth_line::kind::ok : auth_line::kind::err;
        a.status = std::move(r);
        return a;
    }
    if (line == "+") {
        a.type = auth_line::kind::continuation;
        return a;
    }
    if (line.size() >= 2 && line[0] == '+' && line[1] == ' ') {
        a.type = auth_line::kind::continuation;
        a.payload.assign(net::ascii::trim(line.substr(2)));
        return a;
    }
    return a;
}

} // namespace pigeon::pop3
