// The IMAP client: IDLE (RFC 2177, RFC 9051 section 6.3.13).
#include <algorithm>
#include <chrono>

#include "pigeon/imap/client.hpp"

namespace pigeon::imap {

idle_end client::idle(const std::function<bool(const mailbox_event&)>& on_event, std::chrono::milliseconds timeout,
                      const idle_options& opts) {
    using clock = std::chrono::steady_clock;
    require_authenticated("IDLE");
    require_cap(session_.caps().has("IDLE") || session_.caps().imap4rev2(), "IDLE", "IDLE");
    if (!on_event) throw request_error(errc::invalid_argument, "IDLE: no event handler");
    const auto deadline = clock::now() + std::max(timeout, std::chrono::milliseconds(0));
    const auto period = std::max(opts.reidle, std::chrono::milliseconds(1000));
    bool stop = false;
    auto take = [&](response& r) {
        std::error_code ec;
        auto e = parse_mailbox_event(r, ec);
        if (!e) return false;
        if (!on_event(*e)) stop = true;
        return true;
    };
    for (;;) {
        command_builder b(next_tag(), "IDLE");
        command cmd = finish(b, "IDLE");
        conn_.write_line(cmd.segments.front().line);
        wait_continuation(cmd, take);  // NO / BAD: command_error
        const auto round_end = std::min(deadline, clock::now() + period);
        bool ended_by_server = false;
        while (!stop) {
            const auto now = clock::now();
            if (now >= round_end) break;
            std::error_code ec;
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(round_end - now);
            if (!conn_.channel().wait_readable(left, ec)) {
                if (ec) transport_failed(ec, "waiting in IDLE");
                break;  // the time ran out
            }
            response r = read_response();
            if (r.kind == response_kind::continuation)
                fail(errc::unexpected_continuation, "response: " + core::excerpt(first_line_));
            if (r.kind == response_kind::tagged) {
                if (r.tag != cmd.tag) fail(errc::unknown_tag, "response: " + core::excerpt(first_line_));
                if (r.cond != condition::ok) refuse(r, "IDLE");
                ended_by_server = true;  // QUIRK(various): servers that end IDLE on their own
                break;
            }
            handle_untagged(r);
            if (!take(r)) unsolicited(r);
        }
        if (!ended_by_server) {
            conn_.write_line("DONE");
            await(cmd, [&](response& r) {
                std::error_code ec;
                auto e = parse_mailbox_event(r, ec);
                if (!e) return false;
                on_event(*e);  // after DONE: delivered, nothing left to stop
                return true;
            });
        }
        if (stop) return idle_end::stopped;
        if (clock::now() >= deadline) return idle_end::timeout;
    }
}

} // namespace pigeon::imap
