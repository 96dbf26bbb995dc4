#include "outbox_bounce.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <ctime>

#include "pigeon/mime/compose_builder.hpp"

namespace pigeon::cli {

std::string spooled_headers(const std::string& message_path) {
    constexpr std::size_t cap = 64 * 1024;
    std::string head;
    const int fd = ::open(message_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return head;
    head.resize(cap);
    std::size_t got = 0;
    while (got < cap) {
        const ssize_t n = ::read(fd, head.data() + got, cap - got);
        if (n <= 0) break;
        got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    head.resize(got);
    for (const char* end : {"\r\n\r\n", "\n\n"})
        if (const auto p = head.find(end); p != std::string::npos) return head.substr(0, p + std::string(end).size() / 2);
    return head;
}

void send_bounce(const store::spool_entry& e, const std::vector<std::string>& failed, const std::string& headers,
                 const outbox_flags& of, const trace_flags& trace) {
    if (e.from.empty() || e.setting("bounce") == "1" || failed.empty()) return;
    try {
        std::string text = "pigeon could not deliver your message (outbox entry " + e.id + ", " +
                           std::to_string(e.attempts) + " attempt(s) since " +
                           std::to_string((std::time(nullptr) - e.created) / 3600) + " h) to:\n\n";
        for (const auto& r : e.recipients)
            for (const auto& f : failed)
                if (r.address == f)
                    text += "  " + r.address + "\n    " + (r.last_reply.empty() ? e.last_error : r.last_reply) + "\n";
        text += "\nIts header is attached. It will not be tried again.\n";
        mime::message_builder b;
        b.from(e.from).to(e.from).subject("Undelivered mail: outbox entry " + e.id);
        b.header("Auto-Submitted", "auto-replied");
        b.text(text);
        if (!headers.empty()) b.attach_data("original-headers.txt", headers, {"original-headers.txt", "text/rfc822-headers", {}, {}});
        const mime::composed_message msg = b.build();
        const connection_flags f = flags_of_entry(e, trace);
        const send_settings s = resolve_settings(f, true, exit_config);
        spool_request req;
        req.env.from = msg.envelope_sender();
        for (const auto& r : msg.envelope_recipients()) req.env.recipients.push_back({r, smtp::notify::none, {}});
        req.env.size_hint = msg.size();
        req.bounce = true;
        std::string id;
        attempt_summary a;
        spool_and_send(f, s, req, msg.source(), of, &a, &id);
        if (a.status == "sent") error_line("a report went back to " + printable(e.from));
        else if (a.status == "deferred")
            error_line("a report to " + printable(e.from) + " waits in the outbox (entry " + id + ")");
    } catch (const std::exception& ex) {
        error_line("cannot send the report to " + printable(e.from) + ": " + printable(ex.what()));
    }
}

} // namespace pigeon::cli
