#include "pigeon/imap/client.hpp"

#include <utility>

#include "pigeon/net/ascii.hpp"

namespace pigeon::imap {

void client::prepare(const client_options& opts) {
    close();
    opts_ = opts;
    parser_ = response_parser(opts.limits.parser);
    tags_ = opts.tag_prefix.empty() ? tag_generator() : tag_generator(opts.tag_prefix);
    bye_text_.clear();
    info_ = {};
    reset_session_state();
}

void client::close() noexcept {
    conn_.close();
    session_.on_closed();
}

void client::reset_session_state() {
    mailbox_ = {};
    selected_name_.clear();
    tracking_ = condstore_ = qresync_ = utf8_ = false;
}

// ---- the dialect -------------------------------------------------------------------

void client::read_greeting(net::tls_mode mode) {
    session_ = session{};
    response r = read_response();
    info_.greeting = first_line_;
    if (r.kind != response_kind::untagged ||
        (r.cond != condition::ok && r.cond != condition::preauth && r.cond != condition::bye))
        fail(errc::bad_greeting, "IMAP greeting: " + core::excerpt(first_line_));
    if (r.cond == condition::bye)
        conn_.fail(errc::greeting_refused, "IMAP greeting: " + core::excerpt(first_line_),
                   to_server_reply(r, first_line_));
    if (r.cond == condition::preauth) {
        info_.preauth = true;
        // RFC 9051 section 7.1.4 / EAST P cases: an attacker on a clear
        // connection answers PREAUTH to keep STARTTLS from happening.
        if (mode == net::tls_mode::starttls && !conn_.is_tls())
            fail(errc::preauth_without_tls, "IMAP greeting: " + core::excerpt(first_line_));
    }
    session_.on_greeting(r.cond);
    if (r.code && r.code->name == "CAPABILITY") session_.on_capabilities(imap::capabilities::from_code(*r.code));
}

std::optional<std::vector<std::string>> client::read_capabilities(bool required) {
    if (!session_.caps_known()) {
        std::error_code ec;
        auto cmd = command_builder(next_tag(), "CAPABILITY").finish(ec);
        try {
            run(*cmd);
        } catch (const command_error&) {
            if (required) fail(errc::capability_failed, "CAPABILITY: " + core::excerpt(first_line_));
            return std::nullopt;
        }
        if (!session_.caps_known()) {
            if (required) fail(errc::capability_failed, "CAPABILITY answered without capabilities");
            return std::nullopt;
        }
    }
    return session_.caps().atoms();
}

bool client::starttls_offered() const {
    return session_.current() == imap::state::not_authenticated && session_.caps_known() &&
           session_.caps().starttls();
}

void client::request_starttls() {
    std::string tag = next_tag();
    conn_.write_line(tag + " STARTTLS");  // alone in its write: nothing pipelined after it
    for (;;) {
        response r = read_response();
        if (r.kind == response_kind::untagged) {
            // Untagged data before TLS is dropped unread (EAST tampering
            // cases); a BYE means no TLS.
            if (r.cond == condition::bye) fail(errc::starttls_refused, "STARTTLS: " + core::excerpt(first_line_));
            continue;
        }
        if (r.kind == response_kind::continuation) fail(errc::starttls_refused, "STARTTLS: " + core::excerpt(first_line_));
        if (r.tag != tag) fail(errc::unknown_tag, "response: " + core::excerpt(first_line_));
        if (r.cond != condition::ok) fail(errc::starttls_refused, "STARTTLS: " + core::excerpt(first_line_));
        return;
    }
}

void client::on_tls_established() { session_.on_tls_established(); }

std::vector<std::string> client::sasl_mechanisms() const {
    if (session_.current() != imap::state::not_authenticated) return {};
    return session_.caps().auth_mechanisms();
}

std::string client::sasl_start_line(std::string_view mechanism, const std::optional<std::string>& initial_b64) {
    auth_tag_ = next_tag();
    command_builder b(auth_tag_, "AUTHENTICATE");
    b.atom(mechanism);
    if (initial_b64) b.atom(*initial_b64, true);  // RFC 4959 SASL-IR; "=" when empty
    std::error_code ec;
    auto cmd = b.finish(ec);
    if (!cmd) throw request_error(errc::invalid_argument, "AUTHENTICATE " + core::excerpt(mechanism));
    return cmd->segments.front().line;
}

bool client::sasl_initial_response_fits(std::string_view, std::size_t b64_length) const {
    return session_.caps().sasl_ir() && b64_length <= 16 * 1024;
}

core::sasl_step client::read_sasl_reply() {
    for (;;) {
        response r = read_response();
        core::sasl_step s;
        s.reply.text = first_line_;
        if (r.kind == response_kind::continuation) {
            s.reply.type = sasl::reply::kind::challenge;
            s.reply.payload.assign(net::ascii::trim(r.text));
            s.server.lines.push_back(first_line_);
            return s;
        }
        if (r.kind == response_kind::untagged) {
            handle_untagged(r);
            continue;
        }
        if (r.tag != auth_tag_) fail(errc::unknown_tag, "response: " + core::excerpt(first_line_));
        s.reply.type = r.cond == condition::ok ? sasl::reply::kind::success : sasl::reply::kind::failure;
        s.server = to_server_reply(r, first_line_);
        completion_ = std::move(r);
        return s;
    }
}

bool client::mechanism_unavailable(const core::server_reply& final_reply) const {
    // BAD: the command (the mechanism) is not accepted at all; NO
    // [CANNOT]: not possible here (RFC 5530). A plain NO refuses credentials.
    return final_reply.status == "BAD" || final_reply.has_code("CANNOT");
}

std::string client::password_command() const {
    if (session_.current() != imap::state::not_authenticated || session_.caps().login_disabled()) return {};
    return "LOGIN";
}

void client::password_login(const sasl::credentials& creds) {
    command_builder b(next_tag(), "LOGIN", session_.literals());
    b.astring(creds.username).astring(creds.password, true);
    std::error_code ec;
    auto cmd = b.finish(ec);
    if (!cmd) throw auth_error(errc::invalid_argument, "LOGIN", {}, {}, "LOGIN");
    try {
        completion_ = run(*cmd).completion;
    } catch (const auth_error&) {
        throw;
    } catch (const command_error& e) {
        throw auth_error(errc::auth_failed, "LOGIN: " + core::excerpt(first_line_), e.server_reply(), {}, "LOGIN");
    }
}

void client::after_auth() {
    session_.on_authenticated();
    if (completion_.code && completion_.code->name == "CAPABILITY") {
        session_.on_capabilities(imap::capabilities::from_code(*completion_.code));
        return;
    }
    try {
        refresh_capabilities();
    } catch (const command_error&) {
        // Capabilities stay unknown; authentication itself succeeded.
    }
}

// ---- public commands -----------------------------------------------------------

auth_result client::authenticate(const sasl::credentials& creds, const sasl::selection_options& sel) {
    if (state() != imap::state::not_authenticated) throw auth_error(errc::invalid_state, "AUTHENTICATE: already authenticated or not connected");
    completion_ = {};
    auto result = conn_.authenticate(*this, creds, sel, opts_.auth, info_);
    if (opts_.compress && session_.caps().has("COMPRESS=DEFLATE")) compress();
    return result;
}

void client::login(std::string_view user, std::string_view password, bool allow_cleartext) {
    if (state() != imap::state::not_authenticated) throw auth_error(errc::invalid_state, "LOGIN");
    if (session_.caps().login_disabled()) throw auth_error(errc::login_disabled, "LOGIN", {}, {}, "LOGIN");
    if (!conn_.is_tls() && !allow_cleartext) throw auth_error(errc::cleartext_refused, "LOGIN", {}, {}, "LOGIN");
    sasl::credentials creds;
    creds.username = std::string(user);
    creds.password = std::string(password);
    completion_ = {};
    password_login(creds);
    after_auth();
    info_.auth_mechanism = "LOGIN";
    if (opts_.compress && session_.caps().has("COMPRESS=DEFLATE")) compress();
}

const imap::capabilities& client::refresh_capabilities() {
    std::error_code ec;
    auto cmd = command_builder(next_tag(), "CAPABILITY").finish(ec);
    run(*cmd);
    return session_.caps();
}

void client::deliver_untagged(response& r, const untagged_handler& on_untagged, command_result& out) {
    handle_untagged(r);
    if (on_untagged) {
        on_untagged(r);
        return;
    }
    if (out.untagged.size() >= opts_.limits.max_untagged_kept)
        fail(errc::response_too_large, "more than " + std::to_string(opts_.limits.max_untagged_kept) +
                                           " untagged responses to one command");
    out.untagged.push_back(std::move(r));
}

command_result client::run(const command& cmd, const untagged_handler& on_untagged) {
    if (!conn_.is_open()) throw request_error(errc::invalid_state, cmd.name + ": not connected");
    command_result out;
    for (const auto& seg : cmd.segments) {
        conn_.write_line(seg.line, seg.secret);
        if (!seg.has_literal) break;
        if (seg.literal_sync) {
            for (;;) {
                response r = read_response();
                if (r.kind == response_kind::continuation) break;
                if (r.kind == response_kind::untagged) {
                    deliver_untagged(r, on_untagged, out);
                    continue;
                }
                if (r.tag != cmd.tag) fail(errc::unknown_tag, "response: " + core::excerpt(first_line_));
                // RFC 9051 section 7.5: the server may refuse a literal with
                // NO or BAD; an OK for a command not sent completely is forged.
                if (r.cond == condition::ok) fail(errc::early_completion, cmd.name + ": " + core::excerpt(first_line_));
                throw command_error(errc::command_failed, cmd.name + ": " + core::excerpt(first_line_),
                                    to_server_reply(r, first_line_));
            }
        }
        send_literal(seg);
    }
    for (;;) {
        response r = read_response();
        if (r.kind == response_kind::continuation)
            fail(errc::unexpected_continuation, "response: " + core::excerpt(first_line_));
        if (r.kind == response_kind::untagged) {
            deliver_untagged(r, on_untagged, out);
            continue;
        }
        if (r.tag != cmd.tag) fail(errc::unknown_tag, "response: " + core::excerpt(first_line_));
        if (r.cond != condition::ok)
            throw command_error(errc::command_failed, cmd.name + ": " + core::excerpt(first_line_),
                                to_server_reply(r, first_line_));
        if (r.code && r.code->name == "CAPABILITY") session_.on_capabilities(imap::capabilities::from_code(*r.code));
        out.completion = std::move(r);
        return out;
    }
}

void client::compress() {
    require_authenticated("COMPRESS");
    if (is_compressed()) return;
    require_cap(session_.caps().has("COMPRESS=DEFLATE"), "COMPRESS", "COMPRESS=DEFLATE");
    std::error_code ec;
    auto cmd = command_builder(next_tag(), "COMPRESS").atom("DEFLATE").finish(ec);
    if (!cmd) throw request_error(errc::invalid_argument, "COMPRESS");
    run(*cmd);
    // The server deflates everything after its tagged OK; bytes already read
    // past that line are compressed and go to the inflater.
    conn_.channel().start_compression(ec);
    if (ec) transport_failed(ec, "starting COMPRESS=DEFLATE");
}

bool client::is_compressed() const noexcept { return conn_.is_open() && conn_.channel().is_compressed(); }

void client::noop(const untagged_handler& on_untagged) {
    std::error_code ec;
    auto cmd = command_builder(next_tag(), "NOOP").finish(ec);
    run(*cmd, on_untagged ? on_untagged : untagged_handler([this](response& r) { unsolicited(r); }));
}

void client::logout() {
    if (!conn_.is_open()) return;
    std::string tag = next_tag();
    conn_.write_line(tag + " LOGOUT");
    try {
        for (;;) {
            response r = read_response();
            if (r.kind == response_kind::untagged) handle_untagged(r);
            else if (r.kind == response_kind::tagged && r.tag == tag) break;
        }
    } catch (const protocol_error& e) {
        // QUIRK(various): servers that close right after their BYE.
        if (e.code() != make_error_code(errc::server_bye)) throw;
    }
    session_.on_logout();
    deselected();
    conn_.close();
}

void client::handle_untagged(const response& r) {
    if (r.name == "CAPABILITY" && !r.is_status()) session_.on_capabilities(imap::capabilities::from_tokens(r.data));
    else if (r.is_status() && r.code && r.code->name == "CAPABILITY")
        session_.on_capabilities(imap::capabilities::from_code(*r.code));
    if (r.cond == condition::bye) bye_text_ = r.text.empty() ? std::string("BYE") : r.text;
    if (tracking_) {
        // Folded, never kept: an endless "* 1 EXISTS" costs nothing.
        std::error_code ec;
        mailbox_.apply(r, ec);
    }
    if (!r.is_status() && r.name == "ENABLED") {
        for (const auto& t : r.data) {
            if (t.is_atom("CONDSTORE")) condstore_ = true;
            if (t.is_atom("QRESYNC")) qresync_ = condstore_ = true;
            if (t.is_atom("UTF8=ACCEPT") || t.is_atom("UTF8=ONLY")) utf8_ = true;
        }
    }
}

void client::unsolicited(const response& r) {
    if (!on_event_) return;
    std::error_code ec;
    auto e = parse_mailbox_event(r, ec);
    if (e) on_event_(*e);
}

// ---- plumbing --------------------------------------------------------------------

response client::read_response(const literal_router* router) {
    response r;
    read_response_into(r, nullptr, router);
    return r;
}

bool client::read_response_into(response& out, message_data* fetch, const literal_router* router) {
    first_line_.clear();
    bool first = true;
    for (;;) {
        std::error_code ec;
        auto line = conn_.channel().read_line(opts_.limits.parser.max_line, ec);
        if (ec) {
            if (ec == net::errc::line_too_long) fail(errc::line_too_long, "IMAP response line");
            transport_failed(ec, "reading an IMAP response");
        }
        if (first) {
            first_line_.assign(line);
            first = false;
            if (fetch && line.size() > 8 && line.back() == ')' && line[0] == '*' &&
                parse_fetch_line(line, *fetch, opts_.limits.parser))
                return true;
        }
        // The line and then its end: the parser keeps the line itself.
        auto r = parser_.feed(line);
        if (r.state == response_parser::status::need_more) r = parser_.feed("\r\n");
        switch (r.state) {
        case response_parser::status::ready:
            out = parser_.take();
            return false;
        case response_parser::status::error:
            parser_.reset();
            session_.on_closed();
            conn_.fail(r.error, "IMAP response: " + core::excerpt(first_line_));
        case response_parser::status::need_literal: {
            const literal_info& li = parser_.literal();
            net::sink_fn sink;
            if (router && li.message_content && li.kind == response_kind::untagged) sink = (*router)(li);
            if (sink) {
                parser_.literal_streamed();
                try {
                    conn_.channel().read_exact(static_cast<std::size_t>(r.literal_size), sink, ec);
                } catch (...) {
                    // The caller's sink gave up halfway through a literal:
                    // the stream cannot be resynchronised.
                    parser_.reset();
                    close();
                    throw;
                }
            } else {
                if (li.must_stream)
                    fail(errc::literal_too_large, "IMAP literal of " + std::to_string(r.literal_size) +
                                                      " octets with nowhere to stream it");
                conn_.channel().read_exact(
                    static_cast<std::size_t>(r.literal_size), [this](std::string_view chunk) { parser_.feed(chunk); },
                    ec);
            }
            if (ec) transport_failed(ec, "reading an IMAP literal");
            break;
        }
        case response_parser::status::need_more: break;
        }
    }
}

void client::send_literal(const command_segment& seg) {
    net::channel& ch = conn_.channel();
    const net::trace_options saved = ch.trace();
    const bool mask = seg.literal_secret && saved.show_data && !saved.show_secrets;
    if (mask) {
        net::trace_options t = saved;
        t.show_data = false;  // a secret literal is traced as its size only
        ch.set_trace(t);
    }
    std::error_code ec;
    ch.write_raw(seg.literal, ec);
    if (mask) ch.set_trace(saved);
    if (ec) transport_failed(ec, "sending an IMAP literal");
}

void client::fail(errc e, const std::string& what) {
    parser_.reset();
    session_.on_closed();
    conn_.fail(e, what);
}

void client::transport_failed(std::error_code ec, std::string_view context) {
    parser_.reset();
    session_.on_closed();
    if (!bye_text_.empty() && ec == net::errc::connection_closed)
        conn_.fail(errc::server_bye, "BYE: " + core::excerpt(bye_text_));
    conn_.transport_failed(ec, context);
}

// ---- the typed commands' plumbing --------------------------------------------

void client::require(bool authenticated_ok, bool selected_ok, const char* what) const {
    const imap::state st = state();
    if (st == imap::state::disconnected) throw request_error(errc::invalid_state, std::string(what) + ": not connected");
    if (st == imap::state::authenticated && authenticated_ok) return;
    if (st == imap::state::selected && selected_ok) return;
    const char* why = st == imap::state::not_authenticated ? ": not authenticated"
                      : st == imap::state::logout         ? ": logging out"
                      : st == imap::state::authenticated  ? ": no mailbox selected"
                                                          : ": not allowed with a mailbox selected";
    throw request_error(errc::invalid_state, std::string(what) + why);
}

void client::require_cap(bool offered, const char* what, const char* cap) const {
    if (!offered) throw request_error(errc::not_supported, std::string(what) + ": the server does not offer " + cap);
}

std::string client::wire_name(std::string_view mailbox, const char* what) const {
    auto w = encode_mailbox_name(mailbox, mailbox_encoding());
    if (!w || w->empty()) throw request_error(errc::invalid_argument, std::string(what) + ": invalid mailbox name");
    return std::move(*w);
}

command client::finish(command_builder& b, const char* what) {
    std::error_code ec;
    auto cmd = b.finish(ec);
    if (!cmd) throw request_error(errc::invalid_argument, std::string(what) + ": invalid argument");
    return std::move(*cmd);
}

void client::refuse(const response& r, const std::string& what) {
    throw command_error(errc::command_failed, what + ": " + core::excerpt(first_line_), to_server_reply(r, first_line_));
}

void client::wait_continuation(const command& cmd, const claim_fn& claim) {
    for (;;) {
        response r = read_response();
        if (r.kind == response_kind::continuation) return;
        if (r.kind == response_kind::untagged) {
            handle_untagged(r);
            if (!claim || !claim(r)) unsolicited(r);
            continue;
        }
        if (r.tag != cmd.tag) fail(errc::unknown_tag, "response: " + core::excerpt(first_line_));
        // RFC 9051 section 7.5: the server may refuse a literal with NO or
        // BAD; an OK for a command not sent completely is forged.
        if (r.cond == condition::ok) fail(errc::early_completion, cmd.name + ": " + core::excerpt(first_line_));
        refuse(r, cmd.name);
    }
}

void client::send_command(const command& cmd, const claim_fn& claim) {
    for (const auto& seg : cmd.segments) {
        conn_.write_line(seg.line, seg.secret);
        if (!seg.has_literal) break;
        if (seg.literal_sync) wait_continuation(cmd, claim);
        send_literal(seg);
    }
}

response client::await(const command& cmd, const claim_fn& claim, const literal_router* router) {
    for (;;) {
        response r = read_response(router);
        if (r.kind == response_kind::continuation)
            fail(errc::unexpected_continuation, "response: " + core::excerpt(first_line_));
        if (r.kind == response_kind::untagged) {
            handle_untagged(r);
            if (!claim || !claim(r)) unsolicited(r);
            continue;
        }
        if (r.tag != cmd.tag) fail(errc::unknown_tag, "response: " + core::excerpt(first_line_));
        if (r.code && r.code->name == "CAPABILITY") session_.on_capabilities(imap::capabilities::from_code(*r.code));
        if (r.cond != condition::ok) refuse(r, cmd.name);
        return r;
    }
}

response client::execute(const command& cmd, const claim_fn& claim, const literal_router* router) {
    send_command(cmd, claim);
    return await(cmd, claim, router);
}

response client::simple(const char* name, std::string_view mailbox_arg, const char* what) {
    command_builder b(next_tag(), name, session_.literals());
    b.astring(wire_name(mailbox_arg, what));
    return execute(finish(b, what));
}

void client::deselected() {
    tracking_ = false;
    mailbox_ = {};
    selected_name_.clear();
    if (session_.current() == imap::state::selected) session_.on_selected(false);
}

} // namespace pigeon::imap
