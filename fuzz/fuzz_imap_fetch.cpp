// IMAP FETCH data as the client reads it: the response parser with message
// content literals streamed (or kept, as the first byte decides), then the
// typed readers on each response — parse_fetch (ENVELOPE, BODYSTRUCTURE,
// sections), parse_mailbox_event, parse_section and fetch_item_list on the
// item names found. Nothing may crash, hang or grow past the limits.
// parse_fetch of a response given up (strings moved out) must give exactly
// what parse_fetch of a copy gives. parse_fetch_line (the listing's one-line
// reader) must, on every line it answers for, give what the parser and
// parse_fetch give for that line, and give up on every line they refuse;
// it reuses one message_data for all lines, as a listing does.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "pigeon/imap/fetch_items.hpp"
#include "pigeon/imap/mailbox_event.hpp"
#include "pigeon/imap/message_data.hpp"
#include "pigeon/imap/response_parser.hpp"

namespace {

using st = pigeon::imap::response_parser::status;

// Everything of a message_data that parse_fetch fills from the response.
bool same(const std::optional<pigeon::imap::message_data>& a, const std::optional<pigeon::imap::message_data>& b) {
    if (a.has_value() != b.has_value()) return false;
    if (!a) return true;
    return a->seq == b->seq && a->uid == b->uid && a->flags == b->flags && a->rfc822_size == b->rfc822_size &&
           a->internal_date == b->internal_date && a->envelope == b->envelope &&
           a->body_structure.has_value() == b->body_structure.has_value() && a->modseq == b->modseq &&
           a->email_id == b->email_id && a->thread_id == b->thread_id && a->sections == b->sections;
}

void typed(const pigeon::imap::response& r) {
    std::error_code ec;
    pigeon::imap::body_limits bl;
    bl.max_depth = 20;
    bl.max_parts = 200;
    {
        std::error_code ec_copy, ec_moved;
        const auto copied = pigeon::imap::parse_fetch(r, ec_copy, bl);
        pigeon::imap::response given = r;
        const auto moved = pigeon::imap::parse_fetch(std::move(given), ec_moved, bl);
        if (ec_copy != ec_moved || !same(copied, moved)) std::abort();
    }
    if (auto m = pigeon::imap::parse_fetch(r, ec, bl)) {
        pigeon::imap::fetch_items items;
        for (const auto& s : m->sections) {
            (void)pigeon::imap::parse_section(s.section);
            items.sections.push_back({s.section, s.origin, s.size, s.binary, true});
        }
        (void)pigeon::imap::fetch_item_list(items, ec);
        if (m->body_structure) (void)m->find_section("1");
        if (m->envelope) (void)pigeon::imap::mailboxes(m->envelope->from);
    }
    (void)pigeon::imap::parse_mailbox_event(r, ec);
}

void one_line_reader(std::string_view in, const pigeon::imap::parser_limits& limits) {
    pigeon::imap::message_data m;  // reused, as fetch_each does
    while (!in.empty()) {
        const auto nl = in.find('\n');
        std::string_view line = in.substr(0, nl);
        in.remove_prefix(nl == std::string_view::npos ? in.size() : nl + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!pigeon::imap::parse_fetch_line(line, m, limits)) continue;
        pigeon::imap::response_parser p(limits);
        std::string whole(line);
        whole += "\r\n";
        const auto r = p.feed(whole);
        if (r.state != st::ready || r.consumed != whole.size()) std::abort();
        std::error_code ec;
        const auto general = pigeon::imap::parse_fetch(p.take(), ec);
        if (!same(general, m)) std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const bool stream = data[0] & 1;
    std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
    pigeon::imap::parser_limits limits;
    limits.max_literal = 1 << 16;
    limits.max_body_literal = 1 << 16;
    limits.max_response = 1 << 20;
    limits.max_tokens = 20000;
    one_line_reader(in, limits);
    pigeon::imap::response_parser p(limits);
    std::uint64_t to_skip = 0;  // octets of a streamed literal still to pass by
    while (!in.empty()) {
        if (to_skip > 0) {
            auto n = static_cast<std::size_t>(to_skip < in.size() ? to_skip : in.size());
            in.remove_prefix(n);
            to_skip -= n;
            continue;
        }
        auto r = p.feed(in);
        in.remove_prefix(r.consumed);
        if (r.state == st::ready) {
            typed(p.take());
        } else if (r.state == st::need_literal) {
            if (stream || p.literal().must_stream) {
                if (p.literal_streamed()) return 0;
                to_skip = r.literal_size;
            }
        } else if (r.state == st::error) {
            p.reset();
            return 0;
        } else if (r.consumed == 0) {
            break;
        }
    }
    return 0;
}
