#include "pigeon/pop3/client.hpp"

#include <utility>

#include "pigeon/net/ascii.hpp"
#include "pigeon/pop3/command.hpp"
#include "pigeon/pop3/error.hpp"

namespace pigeon::pop3 {

// ---- the SASL binding of RFC 5034: AUTH / "+ " / +OK -----------------------

class client::auth_binding final : public sasl::binding {
public:
    auth_binding(client& c, std::string mechanism) : c_(c), mechanism_(std::move(mechanism)) {}

    void send_start(std::string_view mech, const std::optional<std::string>& initial_b64) override {
        std::error_code ec;
        auto cmd = encode_auth(mech, initial_b64, ec);
        if (!cmd) c_.fail(errc::invalid_argument, "AUTH " + std::string(mech));
        c_.send(*cmd);
    }
    void send_response(std::string_view b64) override {
        std::error_code ec;
        auto cmd = encode_sasl_response(b64, ec);
        if (!cmd) c_.fail(errc::invalid_argument, "AUTH response");
        c_.send(*cmd);
    }
    void send_cancel() override { c_.channel_.write_command("*"); }

    sasl::reply read_reply() override {
        std::string line = c_.read_line_copy();
        auto a = parse_auth_line(line);
        sasl::reply r;
        r.text = line;
        switch (a.type) {
        case auth_line::kind::continuation:
            r.type = sasl::reply::kind::challenge;
            r.payload = std::move(a.payload);
            break;
        case auth_line::kind::ok: r.type = sasl::reply::kind::success; break;
        case auth_line::kind::err: r.type = sasl::reply::kind::failure; break;
        case auth_line::kind::invalid: c_.fail(errc::malformed_reply, "reply to AUTH: " + line);
        }
        return r;
    }

    bool initial_response_fits(std::size_t b64_length) const override {
        // "AUTH " mech SP response CRLF within 255 octets (RFC 5034 section 4).
        return 5 + mechanism_.size() + 1 + b64_length + 2 <= max_command_line;
    }

private:
    client& c_;
    std::string mechanism_;
};

// ---- construction and set-up -------------------------------------------------

client::client(net::channel ch, const client_options& opts) : channel_(std::move(ch)), opts_(opts) {}
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

// The same steps as nntp::client::set_up (and, with a tagged CAPABILITY,
// imap's). They stay apart on purpose: each step speaks its own protocol
// (CAPA/+OK, STLS/+OK, its own greeting rules) through this client's private
// session and info types. The protocol-neutral part of the upgrade, the
// handshake that refuses bytes injected after the go-ahead and drops what was
// read before TLS, is already one function: net::channel::start_tls.
void client::set_up(net::tls_mode mode) {
    if (mode == net::tls_mode::implicit && !channel_.is_tls())
        fail(errc::invalid_state, "implicit TLS on a clear connection");
    if (channel_.is_tls()) session_.on_tls_established();
    read_greeting();

    std::vector<std::string> raw;
    bool have_caps = read_capabilities(raw);
    if (channel_.is_tls()) {
        info_.tls_active = true;
        info_.capabilities_after_tls = raw;
        return;
    }
    info_.capabilities_before_tls = raw;
    if (mode != net::tls_mode::starttls) return;

    // STARTTLS is required from here on: anything but a clean upgrade ends
    // the connection before another byte is sent.
    if (auto ec = session_.check_starttls()) {
        fail(errc::starttls_not_offered, have_caps ? "CAPA" : "CAPA refused");
    }
    upgrade_to_tls();
    raw.clear();
    read_capabilities(raw);
    info_.capabilities_after_tls = std::move(raw);
}

void client::read_greeting() {
    std::string line = read_line_copy();
    auto r = parse_reply(line);
    if (!r) fail(errc::bad_greeting, "greeting: " + line);
    info_.greeting = line;
    if (!r->ok) {
        channel_.close();
        session_.on_closed();
        throw command_error(make_error_code(errc::greeting_refused), *r, "greeting: " + line);
    }
    session_.on_greeting();
}

bool client::read_capabilities(std::vector<std::string>& raw) {
    std::error_code ec;
    send(*encode_simple("CAPA", ec));
    reply r = read_reply();
    if (!r.ok) {
        session_.on_capabilities_unavailable();
        return false;
    }
    std::string block;
    channel_.read_dot_block(net::string_sink(block), opts_.max_capa_bytes, ec);
    if (ec) {
        if (ec == net::errc::line_too_long || block.size() >= opts_.max_capa_bytes)
            fail(errc::response_too_large, "CAPA");
        channel_.close();
        session_.on_closed();
        net::throw_error(ec, "reading CAPA");
    }
    raw = net::ascii::split_lines(block);
    session_.on_capabilities(capabilities::parse(raw));
    return true;
}

void client::upgrade_to_tls() {
    std::error_code ec;
    send(*encode_simple("STLS", ec));  // alone in its write: nothing pipelined after it
    std::string line = read_line_copy();
    auto r = parse_reply(line);
    if (!r || !r->ok) fail(errc::starttls_refused, "STLS: " + line);
    channel_.start_tls(opts_.net.tls, ec);
    if (ec) {
        channel_.close();
        session_.on_closed();
        net::throw_error(ec, channel_.failure_detail().empty() ? "STLS" : channel_.failure_detail());
    }
    session_.on_tls_established();
    info_.tls_active = true;
    info_.starttls_used = true;
    channel_.trace_info("TLS established; capabilities learned before TLS discarded");
}

// ---- authentication ------------------------------------------------------------

auth_result client::authenticate(const sasl::credentials& creds, const sasl::selection_options& opts) {
    auto plan = session_.plan_auth(creds, opts);
    switch (plan.how) {
    case auth_plan::method::sasl:
        run_sasl(plan.mechanism, creds);
        return {plan.mechanism, false};
    case auth_plan::method::user_pass:
        login(creds.username, creds.password, opts.allow_cleartext_secrets);
        return {"USER", true};
    case auth_plan::method::none: break;
    }
    throw auth_error(plan.refusal, {}, "authenticate");
}

void client::run_sasl(const std::string& mechanism, const sasl::credentials& creds) {
    auto mech = sasl::make_mechanism(mechanism, creds, opts_.mechanisms);
    if (!mech) throw auth_error(make_error_code(errc::no_mechanism), {}, "SASL " + mechanism);
    auth_binding b(*this, mechanism);
    auto result = sasl::exchange(*mech, b, opts_.exchange);
    if (result.ok) {
        session_.on_authenticated();
        return;
    }
    reply r = parse_reply(result.final_reply.text).value_or(reply{});
    if (result.final_reply.type == sasl::reply::kind::success) {
        // The server said yes but could not prove it knows the password
        // (SCRAM server signature): do not use this connection.
        channel_.close();
        session_.on_closed();
        throw auth_error(make_error_code(errc::auth_failed), r,
                         "AUTH " + mechanism + ": server not verified (" + result.error.message() + ")", result.error);
    }
    std::string what = "AUTH " + mechanism;
    if (!r.line.empty()) what += ": " + r.line;
    else if (result.error) what += ": " + result.error.message();
    throw auth_error(make_error_code(errc::auth_failed), r, what, result.error);
}

void client::login(std::string_view user, std::string_view password, bool allow_cleartext) {
    if (session_.current() != state::authorization)
        throw auth_error(make_error_code(errc::invalid_state), {}, "USER/PASS");
    if (!session_.tls_active() && !allow_cleartext)
        throw auth_error(make_error_code(errc::cleartext_refused), {}, "USER/PASS");
    std::error_code ec;
    auto u = encode_user(user, ec);
    auto p = encode_pass(password, ec);
    if (!u || !p) throw auth_error(make_error_code(errc::invalid_argument), {}, "USER/PASS");
    send(*u);
    reply r = read_reply();
    if (!r.ok) throw auth_error(make_error_code(errc::auth_failed), r, "USER: " + r.line);
    send(*p);
    r = read_reply();
    if (!r.ok) throw auth_error(make_error_code(errc::auth_failed), r, "PASS: " + r.line);
    session_.on_authenticated();
}

void client::quit() {
    if (!channel_.is_open()) return;
    std::error_code ec;
    send(*encode_simple("QUIT", ec));
    reply r = read_reply();
    channel_.close();
    session_.on_closed();
    if (!r.ok) throw command_error(make_error_code(errc::command_failed), r, "QUIT: " + r.line);
}

// ---- plumbing --------------------------------------------------------------------

std::string client::read_line_copy() {
    std::error_code ec;
    auto line = channel_.read_line(opts_.max_line, ec);
    if (ec) {
        channel_.close();
        session_.on_closed();
        net::throw_error(ec, "reading a POP3 reply");
    }
    return std::string(line);
}

reply client::read_reply() {
    std::string line = read_line_copy();
    auto r = parse_reply(line);
    if (!r) fail(errc::malformed_reply, "reply: " + line);
    return std::move(*r);
}

void client::send(const command_line& cmd) {
    std::error_code ec;
    channel_.write_command(cmd.line, ec, cmd.secret);
    if (ec) {
        channel_.close();
        session_.on_closed();
        net::throw_error(ec, "sending a POP3 command");
    }
}

void client::fail(errc e, const std::string& what) {
    channel_.close();
    session_.on_closed();
    throw protocol_error(e, what);
}

} // namespace pigeon::pop3
