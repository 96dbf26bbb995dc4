// The NNTP client's reading commands: MODE READER, GROUP, LISTGROUP,
// ARTICLE / HEAD / BODY / STAT, NEXT / LAST and pipelined retrieval; and the
// plumbing the other reading commands share (status lines, listings).
#include <deque>
#include <utility>

#include "detail/client_util.hpp"
#include "pigeon/core/line_splitter.hpp"
#include "pigeon/nntp/client.hpp"
#include "pigeon/nntp/codec_error.hpp"

namespace pigeon::nntp {

// ---- plumbing --------------------------------------------------------------------

void client::require_connected(const char* what) const {
    if (!conn_.is_open()) throw request_error(errc::invalid_state, std::string(what) + ": not connected");
}

reply client::read_status(const char* what) {
    reply r = read_reply(std::string("reading the reply to ") + what);
    // RFC 3977 section 3.2.1: 400 may answer any command; the server then
    // closes the connection.
    if (r.code == 400)
        conn_.fail(errc::service_unavailable, std::string(what) + ": " + core::excerpt(r.line), to_server_reply(r));
    return r;
}

void client::unexpected(const char* what, const reply& r) {
    // A positive reply the command does not have: whether a block follows is
    // unknown, so nothing after it can be trusted.
    conn_.fail(errc::unexpected_reply, std::string(what) + ": " + core::excerpt(r.line), to_server_reply(r));
}

reply client::expect(int ok, const char* what) {
    reply r = read_status(what);
    if (r.code == ok) return r;
    if (r.code >= 400) refused(what, r);
    unexpected(what, r);
}

void client::bad_line(const char* what, std::string_view line, std::error_code ec) {
    conn_.fail(errc::malformed_reply,
               std::string(what) + ": " + ec.message() + " in the line " + core::excerpt(line, 200));
}

void client::read_lines(const char* what, const std::function<void(std::string_view)>& each) {
    const std::size_t max = opts_.limits.max_listing_line;
    // The splitter holds up to max + 1 bytes (the line and its CR) before it
    // gives up on a line; a longer one arrives cut and is refused here.
    core::line_splitter split(
        [&](std::string_view line) {
            if (line.size() > max)
                conn_.fail(errc::line_too_long, std::string(what) + ": a line over limits.max_listing_line");
            each(line);
        },
        max + 1);
    read_block([&](std::string_view chunk) { split.feed(chunk); }, 0, std::string("reading ") + what);
    split.finish();
}

void client::listing(const std::optional<command_line>& cmd, const std::error_code& ec, int ok, const char* what,
                     const std::function<void(std::string_view)>& each) {
    detail::require_encoded(cmd, ec, what);
    ensure_reader();
    send(cmd, ec, what);
    expect(ok, what);
    read_lines(what, each);
}

void client::check_room(std::size_t held, const char* what) {
    if (held >= opts_.limits.max_listing_entries)
        conn_.fail(errc::response_too_large, std::string(what) + ": more entries than limits.max_listing_entries");
}

// ---- MODE READER -----------------------------------------------------------------

bool client::mode_reader() {
    require_connected("MODE READER");
    reader_tried_ = true;
    std::error_code ec;
    send(encode_mode_reader(ec), ec, "MODE READER");
    reply r = read_status("MODE READER");
    // RFC 3977 section 5.3.2: after 502 the server closes the connection.
    if (r.code == 502)
        conn_.fail(errc::service_unavailable, "MODE READER: " + core::excerpt(r.line), to_server_reply(r));
    if (r.code != 200 && r.code != 201) {
        if (r.code >= 400) refused("MODE READER", r);
        unexpected("MODE READER", r);
    }
    session_.on_mode_reader(r.code);
    overview_fmt_.reset();
    read_capabilities(false);
    return r.code == 200;
}

void client::ensure_reader() {
    require_connected("NNTP");
    if (reader_tried_ || !opts_.mode_reader || session_.reader_mode()) return;
    if (session_.caps_known()) {
        const auto& caps = session_.caps();
        // READER listed: reading works now (RFC 3977 section 5.3: the
        // server is not mode-switching). Neither listed: the server says
        // nothing about reading; leave it alone.
        if (caps.reader() || !caps.mode_reader()) return;
        mode_reader();
        return;
    }
    // No capability list (RFC 977 / 2980 servers, or one that wants
    // AUTHINFO first): MODE READER is harmless there, and some need it. A
    // refusal (500 unknown, 480 ...) just means the mode stays as it is.
    reader_tried_ = true;
    try {
        mode_reader();
    } catch (const command_error&) {
    }
}

// ---- groups ------------------------------------------------------------------------

const std::optional<group_info>& client::selected_group() const noexcept {
    static const std::optional<group_info> none;
    return conn_.is_open() ? session_.group() : none;
}

group_info client::select_group(const std::optional<command_line>& cmd, const std::error_code& ec, const char* what,
                                const std::function<void(article_number)>* each) {
    detail::require_encoded(cmd, ec, what);
    ensure_reader();
    send(cmd, ec, what);
    reply r = expect(211, what);
    std::error_code pec;
    auto g = parse_group_reply(r, pec);
    if (!g) {
        // A 211 of LISTGROUP is followed by a block; it cannot be skipped
        // without trusting the line that just proved untrustworthy.
        conn_.fail(errc::malformed_reply, std::string(what) + ": " + core::excerpt(r.line), to_server_reply(r));
    }
    session_.on_group_selected(*g);
    if (each) {
        read_lines(what, [&](std::string_view line) {
            std::error_code lec;
            auto n = parse_listgroup_line(line, lec);
            if (!n) bad_line(what, line, lec);
            (*each)(*n);
        });
    }
    return *g;
}

group_info client::group(std::string_view name) {
    std::error_code ec;
    auto cmd = encode_group(name, ec);
    return select_group(cmd, ec, "GROUP", nullptr);
}

group_info client::listgroup(const std::function<void(article_number)>& each) {
    std::error_code ec;
    auto cmd = encode_listgroup(ec);
    return select_group(cmd, ec, "LISTGROUP", &each);
}

group_info client::listgroup(std::string_view name, const std::function<void(article_number)>& each) {
    std::error_code ec;
    auto cmd = encode_listgroup(name, ec);
    return select_group(cmd, ec, "LISTGROUP", &each);
}

group_info client::listgroup(std::string_view name, const range& r, const std::function<void(article_number)>& each) {
    std::error_code ec;
    auto cmd = encode_listgroup(name, r, ec);
    return select_group(cmd, ec, "LISTGROUP", &each);
}

std::vector<article_number> client::listgroup(std::string_view name) {
    std::vector<article_number> out;
    listgroup(name, [&](article_number n) {
        check_room(out.size(), "LISTGROUP");
        out.push_back(n);
    });
    return out;
}

std::vector<article_number> client::listgroup(std::string_view name, const range& r) {
    std::vector<article_number> out;
    listgroup(name, r, [&](article_number n) {
        check_room(out.size(), "LISTGROUP");
        out.push_back(n);
    });
    return out;
}

// ---- articles ---------------------------------------------------------------------

namespace {

struct part_info {
    const char* name;
    int code;
};

part_info info_of(article_part p) noexcept {
    switch (p) {
    case article_part::head: return {"HEAD", 221};
    case article_part::body: return {"BODY", 222};
    case article_part::article: break;
    }
    return {"ARTICLE", 220};
}

std::optional<command_line> encode_part(article_part p, const article_ref* ref, std::error_code& ec) {
    switch (p) {
    case article_part::head: return ref ? encode_head(*ref, ec) : encode_head(ec);
    case article_part::body: return ref ? encode_body(*ref, ec) : encode_body(ec);
    case article_part::article: break;
    }
    return ref ? encode_article(*ref, ec) : encode_article(ec);
}

} // namespace

article_status client::fetch(article_part part, const article_ref* ref, const net::sink_fn& sink) {
    const auto [what, code] = info_of(part);
    std::error_code ec;
    auto cmd = encode_part(part, ref, ec);
    detail::require_encoded(cmd, ec, what);
    ensure_reader();
    send(cmd, ec, what);
    reply r = expect(code, what);
    std::error_code pec;
    auto st = parse_article_reply(r, pec);
    if (!st) conn_.fail(errc::malformed_reply, std::string(what) + ": " + core::excerpt(r.line), to_server_reply(r));
    if (ref && !ref->is_message_id() && st->number != ref->number())
        conn_.fail(errc::unexpected_reply, std::string(what) + " " + std::to_string(ref->number()) +
                                               " answered for another article: " + core::excerpt(r.line),
                   to_server_reply(r));
    st->bytes = read_block(sink, opts_.limits.max_article_bytes, std::string("reading ") + what);
    if (ref && !ref->is_message_id()) session_.on_article_selected(st->number);
    return std::move(*st);
}

article_status client::article(const article_ref& ref, const net::sink_fn& sink) {
    return fetch(article_part::article, &ref, sink);
}
article_status client::head(const article_ref& ref, const net::sink_fn& sink) {
    return fetch(article_part::head, &ref, sink);
}
article_status client::body(const article_ref& ref, const net::sink_fn& sink) {
    return fetch(article_part::body, &ref, sink);
}
article_status client::article(const net::sink_fn& sink) { return fetch(article_part::article, nullptr, sink); }
article_status client::head(const net::sink_fn& sink) { return fetch(article_part::head, nullptr, sink); }
article_status client::body(const net::sink_fn& sink) { return fetch(article_part::body, nullptr, sink); }

std::string client::fetch_in_memory(article_part part, const article_ref& ref) {
    std::string out;
    const char* what = info_of(part).name;
    fetch(part, &ref, [&](std::string_view chunk) {
        if (out.size() + chunk.size() > opts_.limits.max_article_in_memory)
            conn_.fail(errc::response_too_large,
                       std::string(what) + ": larger than limits.max_article_in_memory");
        out.append(chunk);
    });
    return out;
}

std::string client::article(const article_ref& ref) { return fetch_in_memory(article_part::article, ref); }
std::string client::head(const article_ref& ref) { return fetch_in_memory(article_part::head, ref); }
std::string client::body(const article_ref& ref) { return fetch_in_memory(article_part::body, ref); }

article_status client::status_only(const std::optional<command_line>& cmd, const std::error_code& ec, const char* what,
                                   const article_ref* ref) {
    detail::require_encoded(cmd, ec, what);
    ensure_reader();
    send(cmd, ec, what);
    reply r = expect(223, what);
    std::error_code pec;
    auto st = parse_article_reply(r, pec);
    if (!st) conn_.fail(errc::malformed_reply, std::string(what) + ": " + core::excerpt(r.line), to_server_reply(r));
    if (ref && ref->is_message_id()) return std::move(*st);  // the current article stays
    if (ref && st->number != ref->number())
        conn_.fail(errc::unexpected_reply, std::string(what) + " answered for another article: " + core::excerpt(r.line),
                   to_server_reply(r));
    // STAT by number, NEXT, LAST select; STAT of the current article names it.
    session_.on_article_selected(st->number);
    return std::move(*st);
}

article_status client::stat(const article_ref& ref) {
    std::error_code ec;
    auto cmd = encode_stat(ref, ec);
    return status_only(cmd, ec, "STAT", &ref);
}

article_status client::stat() {
    std::error_code ec;
    auto cmd = encode_stat(ec);
    return status_only(cmd, ec, "STAT", nullptr);
}

article_status client::next() {
    std::error_code ec;
    auto cmd = encode_next(ec);
    return status_only(cmd, ec, "NEXT", nullptr);
}

article_status client::last() {
    std::error_code ec;
    auto cmd = encode_last(ec);
    return status_only(cmd, ec, "LAST", nullptr);
}

// ---- pipelined retrieval ------------------------------------------------------------

void client::retrieve_each(const std::vector<article_ref>& refs,
                           const std::function<net::sink_fn(const article_ref&)>& open,
                           const std::function<void(const retrieve_status&)>& done, article_part part) {
    const auto [what, code] = info_of(part);
    // Every command is checked before the first is sent.
    for (const auto& ref : refs) {
        std::error_code ec;
        if (!encode_part(part, &ref, ec))
            throw request_error(ec ? ec : make_error_code(errc::invalid_argument),
                                std::string(what) + " " + core::excerpt(ref.is_message_id() ? ref.message_id() : ""));
    }
    ensure_reader();
    if (refs.empty()) return;
    const std::size_t window = opts_.pipeline_window ? opts_.pipeline_window : 1;

    // Replies come back in command order (RFC 3977 section 3.5): the queue of
    // indexes into refs says what each next reply answers.
    std::deque<std::size_t> in_flight;
    std::size_t next_ref = 0;
    std::vector<std::string> batch;
    auto refill = [&] {
        batch.clear();
        while (in_flight.size() < window && next_ref < refs.size()) {
            std::error_code ec;
            batch.push_back(encode_part(part, &refs[next_ref], ec)->line);
            in_flight.push_back(next_ref++);
        }
        if (batch.size() == 1) conn_.write_line(batch.front());
        else if (!batch.empty()) conn_.write_lines(batch);
    };

    const std::string context = std::string("reading ") + what;
    try {
        refill();
        while (!in_flight.empty()) {
            const article_ref& ref = refs[in_flight.front()];
            in_flight.pop_front();
            reply r = read_status(what);
            retrieve_status st;
            st.ref = ref;
            if (r.code == code) {
                std::error_code pec;
                auto parsed = parse_article_reply(r, pec);
                if (!parsed)
                    conn_.fail(errc::malformed_reply, std::string(what) + ": " + core::excerpt(r.line),
                               to_server_reply(r));
                // The number proves the reply belongs to this command: a
                // server (or an injected line) out of step is caught here.
                if (!ref.is_message_id() && parsed->number != ref.number())
                    conn_.fail(errc::unexpected_reply,
                               std::string(what) + " " + std::to_string(ref.number()) +
                                   " answered for another article: " + core::excerpt(r.line),
                               to_server_reply(r));
                st.status = std::move(*parsed);
                net::sink_fn sink = open ? open(ref) : net::sink_fn{};
                st.status.bytes = read_block(sink, opts_.limits.max_article_bytes, context);
                st.ok = true;
                if (!ref.is_message_id()) session_.on_article_selected(st.status.number);
            } else if (r.code >= 400) {
                st.refusal = to_server_reply(r);
            } else {
                unexpected(what, r);
            }
            if (done) done(st);
            if (in_flight.size() <= window / 2) refill();
        }
    } catch (...) {
        // Replies still in flight cannot be told apart from the next
        // command's: the connection goes.
        close();
        throw;
    }
}

} // namespace pigeon::nntp
