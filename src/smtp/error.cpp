#include "pigeon/smtp/error.hpp"

#include <utility>

namespace pigeon::smtp {

send_error::send_error(std::error_code ec, const std::string& what, const reply& r,
                       std::vector<recipient_result> results)
    : core::command_error(ec, what, to_server_reply(r)), results_(std::move(results)) {}

reply to_reply(const core::server_reply& r) {
    reply out;
    out.code = r.code;
    for (const auto& l : r.lines) {
        // "ddd text": the text after the code and its separator.
        out.lines.push_back(l.size() >= 4 ? l.substr(4) : std::string());
    }
    const std::string& e = r.response_code;
    unsigned parts[3] = {0, 0, 0};
    std::size_t i = 0;
    int k = 0;
    bool ok = !e.empty();
    for (; ok && k < 3; ++k) {
        std::size_t digits = 0;
        while (i < e.size() && e[i] >= '0' && e[i] <= '9' && digits < 3) {
            parts[k] = parts[k] * 10 + static_cast<unsigned>(e[i] - '0');
            ++i;
            ++digits;
        }
        if (digits == 0) ok = false;
        if (k < 2) {
            if (i < e.size() && e[i] == '.') ++i;
            else ok = false;
        }
    }
    if (ok && i == e.size()) out.status = enhanced_status{parts[0], parts[1], parts[2]};
    return out;
}

} // namespace pigeon::smtp
