#include "pigeon/imap/client.hpp"

#include <utility>

#include "pigeon/net/ascii.hpp"

namespace pigeon::imap {
namespace {

// Server text quoted in exception messages is cut to keep them readable.
std::string excerpt(std::string_view s) {
    constexpr std::size_t max = 300;
    if (s.size() <= max) return std::string(s);
    return std::string(s.substr(0, max)) + "...";
}

} // namespace

// ---- the SASL binding of RFC 9051 section 6.2.2: AUTHENTICATE / "+ " / tagged OK

class client::auth_binding final : public sasl::binding {
public:
    explicit auth_binding(client& c) : c_(c) {}

    void send_start(std::string_view mech, const std::optional<std::string>& initial_b64) override {
        tag_ = c_.next_tag();
        command_builder b(tag_, "AUTHENTICATE");
        b.atom(mech);
        if (initial_b64) b.atom(*initial_b64, true);  // RFC 4959 SASL-IR; "=" when empty
        std::error_code ec;
        auto cmd = b.finish(ec);
        if (!cmd) c_.fail(errc::invalid_argument, "AUTHENTICATE " + std::string(mech));
        c_.send_line(cmd->segments.front().line, cmd->segments.front().secret);
    }
    void send_response(std::string_view b64) override {
        for (char ch : b64)
            if (!is_atom_char(ch)) c_.fail(errc::invalid_argument, "AUTHENTICATE response");
        c_.send_line(std::string(b64), {0, std::string_view::npos});
    }
    void send_cancel() override { c_.send_line("*", {0, 0}); }

    sasl::reply read_reply() override {
        for (;;) {
            response r = c_.read_response();
            sasl::reply out;
            out.text = c_.first_line_;
            if (r.kind == response_kind::continuation) {
                out.type = sasl::reply::kind::challenge;
                out.payload.assign(net::ascii::trim(r.text));
                return out;
            }
            if (r.kind == response_kind::untagged) {
                c_.handle_untagged(r);
                continue;
            }
            if (r.tag != tag_) c_.fail(errc::unknown_tag, "response: " + excerpt(out.text));
            out.type = r.cond == condition::ok ? sasl::reply::kind::success : sasl::reply::kind::failure;
            completion_ = std::move(r);
            return out;
        }
    }

    bool initial_response_fits(std::size_t b64_length) const override {
        return c_.session_.caps().sasl_ir() && b64_length <= 16 * 1024;
    }

    const response& completion() const noexcept { return completion_; }

private:
    client& c_;
    std::string tag_;
    response completion_;
};

// ---- construction and set-up -------------------------------------------------

client::client(net::channel ch, const client_options& opts)
    : channel_(std::move(ch)), opts_(opts), parser_(opts.parser),
      tags_(opts.tag_prefix.empty() ? tag_generator() : tag_generator(opts.tag_prefix)) {}
client::client(client&&) noexcept = default;
client& client::operator=(client&&) noexcept = default;
client::~client() = default;

client client::connect(const net::endpoint& ep, const client_options& opts) {
    net::channel ch = net::open_channel(ep, opts.net);
    return start(std::move(ch), ep.tls, opts);
}

client client::start(net::channel ch, net::tls_mode mode, const client_options& opts) {
    client c(std::move(ch), opts);
    if (opts.net.trace.hook) c.channel_.set_trace(opts.net.trace);
    c.set_up(mode);
    return c;
}

void client::set_up(net::tls_mode mode) {
    if (mode == net::tls_mode::implicit && !channel_.is_tls())
        fail(errc::invalid_state, "implicit TLS on a clear connection");
    if (channel_.is_tls()) session_.on_tls_established();
    read_greeting(mode);
    if (channel_.is_tls()) {
        info_.tls_active = true;
        info_.capabilities_after_tls = learn_capabilities(false);
        return;
    }
    if (mode != net::tls_mode::starttls) {
        info_.capabilities_before_tls = learn_capabilities(false);
        return;
    }
    // STARTTLS is required from here on: anything but a clean upgrade ends
    // the connection before another command is sent.
    info_.capabilities_before_tls = learn_capabilities(true);
    if (session_.check_starttls())
        fail(errc::starttls_not_offered, "CAPABILITY");
    upgrade_to_tls();
    info_.capabilities_after_tls = learn_capabilities(false);
}

void client::read_greeting(net::tls_mode mode) {
    response r = read_response();
    info_.greeting = first_line_;
    if (r.kind != response_kind::untagged ||
        (r.cond != condition::ok && r.cond != condition::preauth && r.cond != condition::bye))
        fail(errc::bad_greeting, "greeting: " + excerpt(first_line_));
    if (r.cond == condition::bye) {
        channel_.close();
        session_.on_logout();
        throw command_error(make_error_code(errc::greeting_refused), std::move(r),
                            "greeting: " + excerpt(info_.greeting));
    }
    if (r.cond == condition::preauth) {
        info_.preauth = true;
        // RFC 9051 section 7.1.4 / EAST P cases: an attacker on a clear
        // connection answers PREAUTH to keep STARTTLS from happening.
        if (mode == net::tls_mode::starttls && !channel_.is_tls())
            fail(errc::preauth_without_tls, "greeting: " + excerpt(info_.greeting));
    }
    session_.on_greeting(r.cond);
    if (r.code && r.code->name == "CAPABILITY") session_.on_capabilities(capabilities::from_code(*r.code));
}

std::vector<std::string> client::learn_capabilities(bool required) {
    if (!session_.caps_known()) {
        std::error_code ec;
        auto cmd = command_builder(next_tag(), "CAPABILITY").finish(ec);
        try {
            run(*cmd);
        } catch (const command_error& e) {
            if (required)
                fail(errc::capability_failed,
                     "CAPABILITY: " + excerpt(first_line_));
            return {};
        }
        if (!session_.caps_known()) {
            if (required) fail(errc::capability_failed, "CAPABILITY answered without capabilities");
            return {};
        }
    }
    return session_.caps().atoms();
}

void client::upgrade_to_tls() {
    std::string tag = next_tag();
    send_line(tag + " STARTTLS", {0, 0});  // alone in its write: nothing pipelined after it
    for (;;) {
        response r = read_response();
        if (r.kind == response_kind::untagged) {
            // Untagged data before TLS is dropped unread (EAST tampering
            // cases); a BYE means no TLS.
            if (r.cond == condition::bye)
                fail(errc::starttls_refused, "STARTTLS: " + excerpt(first_line_));
            continue;
        }
        if (r.kind == response_kind::continuation)
            fail(errc::starttls_refused, "STARTTLS: " + excerpt(first_line_));
        if (r.tag != tag) fail(errc::unknown_tag, "response: " + excerpt(first_line_));
        if (r.cond != condition::ok)
            fail(errc::starttls_refused, "STARTTLS: " + excerpt(first_line_));
        break;
    }
    std::error_code ec;
    channel_.start_tls(opts_.net.tls, ec);
    if (ec) {
        const std::string detail = channel_.failure_detail().empty() ? "STARTTLS" : channel_.failure_detail();
        transport_failed(ec, detail.c_str());
    }
    session_.on_tls_established();
    info_.tls_active = true;
    info_.starttls_used = true;
    channel_.trace_info("TLS established; capabilities learned before TLS discarded");
}

const capabilities& client::refresh_capabilities() {
    std::error_code ec;
    auto cmd = command_builder(next_tag(), "CAPABILITY").finish(ec);
    run(*cmd);
    return session_.caps();
}

// ---- authentication ------------------------------------------------------------

auth_result client::authenticate(const sasl::credentials& creds, const sasl::selection_options& opts) {
    auto plan = session_.plan_auth(creds, opts);
    switch (plan.how) {
    case auth_plan::method::sasl:
        run_sasl(plan.mechanism, creds);
        return {plan.mechanism, false};
    case auth_plan::method::login:
        login(creds.username, creds.password, opts.allow_cleartext_secrets);
        return {"LOGIN", true};
    case auth_plan::method::none: break;
    }
    throw auth_error(plan.refusal, {}, "authenticate");
}

void client::run_sasl(const std::string& mechanism, const sasl::credentials& creds) {
    auto mech = sasl::make_mechanism(mechanism, creds, opts_.mechanisms);
    if (!mech) throw auth_error(make_error_code(errc::no_mechanism), {}, "SASL " + mechanism);
    auth_binding b(*this);
    auto result = sasl::exchange(*mech, b, opts_.exchange);
    if (result.ok) {
        after_auth(b.completion());
        return;
    }
    if (result.final_reply.type == sasl::reply::kind::success) {
        // The server said OK but could not prove it knows the password
        // (SCRAM server signature): do not use this connection.
        channel_.close();
        session_.on_logout();
        throw auth_error(make_error_code(errc::auth_failed), b.completion(),
                         "AUTHENTICATE " + mechanism + ": server not verified (" + result.error.message() + ")",
                         result.error);
    }
    std::string what = "AUTHENTICATE " + mechanism;
    if (!result.final_reply.text.empty()) what += ": " + excerpt(result.final_reply.text);
    else if (result.error) what += ": " + result.error.message();
    throw auth_error(make_error_code(errc::auth_failed), b.completion(), what, result.error);
}

void client::login(std::string_view user, std::string_view password, bool allow_cleartext) {
    if (session_.current() != state::not_authenticated)
        throw auth_error(make_error_code(errc::invalid_state), {}, "LOGIN");
    if (session_.caps().login_disabled())
        throw auth_error(make_error_code(errc::login_disabled), {}, "LOGIN");
    if (!session_.tls_active() && !allow_cleartext)
        throw auth_error(make_error_code(errc::cleartext_refused), {}, "LOGIN");
    command_builder b(next_tag(), "LOGIN", session_.literals());
    b.astring(user).astring(password, true);
    std::error_code ec;
    auto cmd = b.finish(ec);
    if (!cmd) throw auth_error(make_error_code(errc::invalid_argument), {}, "LOGIN");
    command_result res;
    try {
        res = run(*cmd);
    } catch (const auth_error&) {
        throw;
    } catch (const command_error& e) {
        throw auth_error(make_error_code(errc::auth_failed), e.server_response(), "LOGIN: " + excerpt(first_line_));
    }
    after_auth(res.completion);
}

void client::after_auth(const response& completion) {
    session_.on_authenticated();
    if (completion.code && completion.code->name == "CAPABILITY") {
        session_.on_capabilities(capabilities::from_code(*completion.code));
        return;
    }
    try {
        refresh_capabilities();
    } catch (const command_error&) {
        // Capabilities stay unknown; authentication itself succeeded.
    }
}

// ---- running commands ----------------------------------------------------------

command_result client::run(const command& cmd) {
    command_result out;
    for (const auto& seg : cmd.segments) {
        send_line(seg.line, seg.secret);
        if (!seg.has_literal) break;
        if (seg.literal_sync) {
            for (;;) {
                response r = read_response();
                if (r.kind == response_kind::continuation) break;
                if (r.kind == response_kind::untagged) {
                    handle_untagged(r);
                    out.untagged.push_back(std::move(r));
                    continue;
                }
                if (r.tag != cmd.tag)
                    fail(errc::unknown_tag, "response: " + excerpt(first_line_));
                // RFC 9051 section 7.5: the server may refuse a literal with
                // NO or BAD; an OK for a command not sent completely is forged.
                if (r.cond == condition::ok)
                    fail(errc::early_completion,
                         cmd.name + ": " + excerpt(first_line_));
                std::string what = cmd.name + ": " + excerpt(first_line_);
                throw command_error(make_error_code(errc::command_failed), std::move(r), what);
            }
        }
        send_literal(seg);
    }
    for (;;) {
        response r = read_response();
        if (r.kind == response_kind::continuation)
            fail(errc::unexpected_continuation, "response: " + excerpt(first_line_));
        if (r.kind == response_kind::untagged) {
            handle_untagged(r);
            out.untagged.push_back(std::move(r));
            continue;
        }
        if (r.tag != cmd.tag) fail(errc::unknown_tag, "response: " + excerpt(first_line_));
        if (r.cond != condition::ok) {
            std::string what = cmd.name + ": " + excerpt(first_line_);
            throw command_error(make_error_code(errc::command_failed), std::move(r), what);
        }
        if (r.code && r.code->name == "CAPABILITY") session_.on_capabilities(capabilities::from_code(*r.code));
        out.completion = std::move(r);
        return out;
    }
}

void client::logout() {
    if (!channel_.is_open()) return;
    std::string tag = next_tag();
    send_line(tag + " LOGOUT", {0, 0});
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
    channel_.close();
    session_.on_logout();
}

void client::handle_untagged(const response& r) {
    if (r.name == "CAPABILITY" && !r.is_status()) session_.on_capabilities(capabilities::from_tokens(r.data));
    else if (r.is_status() && r.code && r.code->name == "CAPABILITY")
        session_.on_capabilities(capabilities::from_code(*r.code));
    if (r.cond == condition::bye) bye_text_ = r.text.empty() ? std::string("BYE") : r.text;
}

// ---- plumbing --------------------------------------------------------------------

response client::read_response() {
    first_line_.clear();
    bool first = true;
    std::string segment;
    for (;;) {
        std::error_code ec;
        auto line = channel_.read_line(opts_.parser.max_line, ec);
        if (ec) transport_failed(ec, "reading an IMAP response");
        if (first) {
            first_line_.assign(line);
            first = false;
        }
        segment.assign(line);
        segment += "\r\n";
        auto r = parser_.feed(segment);
        switch (r.state) {
        case response_parser::status::ready: return parser_.take();
        case response_parser::status::error:
            parser_.reset();
            fail(r.error, "response: " + excerpt(first_line_));
        case response_parser::status::need_literal:
            channel_.read_exact(
                r.literal_size, [this](std::string_view chunk) { parser_.feed(chunk); }, ec);
            if (ec) transport_failed(ec, "reading an IMAP literal");
            break;
        case response_parser::status::need_more: break;
        }
    }
}

void client::send_line(const std::string& line, net::secret_span secret) {
    std::error_code ec;
    channel_.write_command(line, ec, secret);
    if (ec) transport_failed(ec, "sending an IMAP command");
}

void client::send_literal(const command_segment& seg) {
    std::error_code ec;
    const net::trace_options saved = channel_.trace();
    bool mask = seg.literal_secret && saved.show_data && !saved.show_secrets;
    if (mask) {
        net::trace_options t = saved;
        t.show_data = false;  // a secret literal is traced as its size only
        channel_.set_trace(t);
    }
    channel_.write_raw(seg.literal, ec);
    if (mask) channel_.set_trace(saved);
    if (ec) transport_failed(ec, "sending an IMAP literal");
}

void client::fail(errc e, const std::string& what) { fail(make_error_code(e), what); }

void client::fail(std::error_code ec, const std::string& what) {
    channel_.close();
    session_.on_logout();
    throw protocol_error(ec, what);
}

void client::transport_failed(std::error_code ec, const char* context) {
    channel_.close();
    session_.on_logout();
    if (!bye_text_.empty() && ec == net::errc::connection_closed)
        throw protocol_error(errc::server_bye, "BYE: " + excerpt(bye_text_));
    net::throw_error(ec, context);
}

} // namespace pigeon::imap
