#include "pigeon/imap/error.hpp"

namespace pigeon::imap {

core::server_reply to_server_reply(const response& r, std::string_view first_line) {
    core::server_reply out;
    out.status = r.is_status() ? to_string(r.cond) : "";
    if (r.code) out.response_code = r.code->name;
    out.lines.emplace_back(first_line);
    if (r.cond == condition::no || r.cond == condition::bad || r.cond == condition::bye) {
        bool transient = r.cond == condition::bye;
        if (r.code) {
            const auto& n = r.code->name;
            if (n == "UNAVAILABLE" || n == "INUSE" || n == "LIMIT" || n == "SERVERBUG") transient = true;
            else if (n == "AUTHENTICATIONFAILED" || n == "AUTHORIZATIONFAILED" || n == "EXPIRED" ||
                     n == "PRIVACYREQUIRED" || n == "CONTACTADMIN" || n == "NOPERM" || n == "ALERT")
                transient = false;
        }
        out.severity = transient ? core::server_reply::kind::transient : core::server_reply::kind::permanent;
    }
    return out;
}

} // namespace pigeon::imap
