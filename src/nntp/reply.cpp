#include "pigeon/nntp/reply.hpp"

namespace pigeon::nntp {

std::optional<reply> parse_reply(std::string_view line) {
    if (line.size() < 3) return std::nullopt;
    for (int i = 0; i < 3; ++i)
        if (line[i] < '0' || line[i] > '9') return std::nullopt;
    if (line[0] < '1' || line[0] > '5') return std::nullopt;
    if (line.size() > 3 && line[3] != ' ') return std::nullopt;
    reply r;
    r.code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    if (line.size() > 4) r.text.assign(line.substr(4));
    r.line.assign(line);
    return r;
}

} // namespace pigeon::nntp
