// pigeon::smtp::client: opening (greeting, EHLO, STARTTLS), AUTH, RSET,
// NOOP, QUIT. Transactions are in client_send.cpp.
#include "pigeon/smtp/client.hpp"

#include <utility>

#include "detail/client_impl.hpp"
#include "pigeon/net/connect.hpp"
#include "pigeon/net/error.hpp"
#include "pigeon/sasl/error.hpp"
#include "pigeon/smtp/command.hpp"

namespace pigeon::smtp {

std::string printable(std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f || c == '\\') {
            out += "\\x";
            out += hex[u >> 4];
            out += hex[u & 0xf];
        } else {
            out += c;
        }
    }
    return out;
}

namespace {

std::string join_lines(const std::vector<std::string>& lines) {
    std::string out;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (i) out += '\n';
        out += lines[i];
    }
    return out;
}

/// One line of server text for an exception message.
std::string describe(const reply& r) { return printable(r.to_string()); }

// The SMTP side of the SASL exchange (RFC 4954): "AUTH mech [ir]", 334 for a
// challenge, 235 for success. Every response is a secret for the trace.
class smtp_binding final : public sasl::binding {
public:
    smtp_binding(client::impl& c, std::string mech) : c_(c), mech_(std::move(mech)) {}

    void send_start(std::string_view mech, const std::optional<std::string>& initial_b64) override {
        std::string line;
        std::size_t offset = std::string::npos;
        if (auto ec = encode_auth(mech, initial_b64, line, offset))
            throw request_error(ec, "cannot encode AUTH " + printable(mech));
        sent_start_ = true;
        if (offset == std::string::npos) c_.write(line);
        else c_.write(line, net::secret_span{offset, std::string_view::npos});
    }
    void send_response(std::string_view b64) override {
        c_.write(b64, net::secret_span{0, std::string_view::npos});
    }
    void send_cancel() override { c_.write("*"); }
    sasl::reply read_reply() override {
        last_ = c_.read_reply();
        c_.check_closing(last_, "AUTH");
        sasl::reply out;
        if (last_.code == 334) {
            out.type = sasl::reply::kind::challenge;
            std::string_view p = last_.lines.empty() ? std::string_view{} : std::string_view(last_.lines[0]);
            while (!p.empty() && (p.front() == ' ' || p.front() == '\t')) p.remove_prefix(1);
            while (!p.empty() && (p.back() == ' ' || p.back() == '\t')) p.remove_suffix(1);
            out.payload = std::string(p);
        } else if (last_.code == 235) {
            out.type = sasl::reply::kind::success;
        } else {
            out.type = sasl::reply::kind::failure;
        }
        out.text = last_.to_string();
        return out;
    }
    bool initial_response_fits(std::size_t b64_length) const override {
        // "AUTH " mech " " initial CRLF within 512 octets (RFC 4954 4, RFC 5321 4.5.3.1.4)
        return 5 + mech_.size() + 1 + b64_length + 2 <= 512;
    }

    const reply& last() const noexcept { return last_; }
    bool sent_start() const noexcept { return sent_start_; }

private:
    client::impl& c_;
    std::string mech_;
    reply last_;
    bool sent_start_ = false;
};

} // namespace

// ---- impl: I/O helpers ------------------------------------------------------

net::channel& client::impl::chan() {
    require_open();
    return *ch;
}

void client::impl::require_open() const {
    if (!open() || sess.current() == state::closed || sess.current() == state::disconnected)
        throw request_error(errc::invalid_state, "not connected");
}

void client::impl::write(std::string_view line, net::secret_span secret) { ch->write_command(line, secret); }

reply client::impl::read_reply() {
    parser.reset();
    for (;;) {
        const std::string_view line = ch->read_line(opts.limits.max_line_length);
        const auto st = parser.feed_line(line);
        if (st == reply_parser::status::ready) return parser.take();
        if (st == reply_parser::status::error) {
            reply partial = parser.value();
            fail(static_cast<errc>(parser.error().value()), "malformed reply from the server", std::move(partial));
        }
    }
}

void client::impl::fail(errc e, const std::string& what, reply r) {
    close();
    throw protocol_error(e, what, std::move(r));
}

void client::impl::check_closing(const reply& r, std::string_view during) {
    if (r.code == 421) fail(errc::service_unavailable, std::string(during) + ": " + describe(r), r);
}

void client::impl::close() noexcept {
    if (ch) ch->close();
    ch.reset();
    if (sess.current() != state::disconnected) sess.on_closed();
    info.tls_active = false;
    dirty = false;
}

void client::impl::quit_quietly() noexcept {
    if (open()) {
        try {
            write("QUIT");
            (void)read_reply();
        } catch (const std::exception&) {
            // The connection is being abandoned anyway.
        }
    }
    close();
}

// ---- impl: opening ------------------------------------------------------------

void client::impl::opening() {
    const bool lmtp = ep.proto == net::protocol::lmtp;
    sess.on_connected(lmtp, ch->is_tls());
    info = session_info{};
    info.lmtp = lmtp;
    info.tls_active = ch->is_tls();
    parser = reply_parser(opts.limits);
    dirty = false;

    reply greeting = read_reply();
    sess.on_greeting();
    if (greeting.code != 220) {
        // 554: no service here (RFC 5321 3.1: wait for QUIT); 421: closing.
        if (greeting.code != 421) quit_quietly();
        const errc e = (greeting.code == 554 || greeting.code == 421) ? errc::service_unavailable
                                                                       : errc::unexpected_reply;
        fail(e, "server refused the connection: " + describe(greeting), std::move(greeting));
    }
    info.greeting = join_lines(greeting.lines);

    if (ep.tls == net::tls_mode::implicit && !ch->is_tls())
        fail(errc::unexpected_reply, "implicit TLS requested on a clear-text channel");
    hello(ch->is_tls() ? info.ehlo_after_tls : info.ehlo_before_tls);
    if (ep.tls == net::tls_mode::starttls && !ch->is_tls()) starttls();
}

void client::impl::hello(std::vector<std::string>& record) {
    const bool lmtp = sess.lmtp();
    std::string line;
    if (auto ec = encode_hello(lmtp ? hello_kind::lhlo : hello_kind::ehlo, opts.hello_name, line))
        throw request_error(ec, "invalid hello name " + printable(opts.hello_name));
    write(line);
    reply r = read_reply();
    check_closing(r, lmtp ? "LHLO" : "EHLO");
    capabilities caps;
    if (r.positive()) {
        caps = parse_ehlo(r);
        info.esmtp = true;
    } else if (!lmtp && (r.code == 500 || r.code == 502)) {
        // A server without ESMTP (RFC 5321 3.2): fall back to HELO.
        (void)encode_hello(hello_kind::helo, opts.hello_name, line);
        write(line);
        r = read_reply();
        check_closing(r, "HELO");
        if (!r.positive()) {
            quit_quietly();
            fail(errc::hello_refused, "HELO refused: " + describe(r), r);
        }
        caps = parse_helo(r);
        info.esmtp = false;
    } else {
        quit_quietly();
        fail(errc::hello_refused, std::string(lmtp ? "LHLO" : "EHLO") + " refused: " + describe(r), r);
    }
    record = r.lines;
    parser.set_enhanced_status_codes(caps.enhanced_status_codes);
    sess.on_hello(std::move(caps));
}

void client::impl::starttls() {
    // TLS is required: no STARTTLS, or anything but 220, ends the session
    // with nothing sent but QUIT (RFC 8314 5; EAST O_*/D_*; curl CVE-2021-22946).
    if (!sess.allowed(command::starttls)) {
        quit_quietly();
        fail(errc::starttls_unavailable, "TLS required, but the server does not offer STARTTLS");
    }
    write("STARTTLS");  // never pipelined with anything
    reply r = read_reply();
    if (r.code != 220) {
        if (r.code != 421) quit_quietly();
        fail(errc::starttls_refused, "TLS required, but STARTTLS was answered " + describe(r), r);
    }
    // Fails before the handshake if the server sent anything after its
    // go-ahead (response injection, CVE-2021-22947 class): no QUIT then, the
    // plain-text stream cannot be trusted any more.
    ch->start_tls(opts.session.tls);
    sess.on_tls();
    parser.set_enhanced_status_codes(false);
    info.tls_active = true;
    info.starttls_used = true;
    // Everything learned before TLS is discarded (RFC 3207 4.2): EHLO again.
    hello(info.ehlo_after_tls);
}

void client::impl::authenticate(const sasl::credentials& in, const sasl::selection_options& sel) {
    require_open();
    if (sess.authenticated()) throw request_error(errc::invalid_state, "already authenticated");
    if (sess.current() != state::ready) throw request_error(errc::invalid_state, "AUTH is not allowed in a transaction");
    const capabilities& caps = sess.caps();
    if (caps.auth_mechanisms.empty())
        throw auth_error(errc::auth_unavailable, "the server offers no AUTH", {},
                         sasl::errc::no_mechanism, {});
    sasl::credentials creds_used = in;
    if (creds_used.host.empty()) creds_used.host = ep.host;
    if (creds_used.port == 0) creds_used.port = ep.port;

    const auto ranked = sasl::rank(caps.auth_mechanisms, creds_used, ch->is_tls(), sel);
    if (ranked.empty()) {
        std::string offered;
        for (const auto& m : caps.auth_mechanisms) offered += (offered.empty() ? "" : " ") + m;
        throw auth_error(errc::auth_unavailable,
                         "no usable mechanism among those offered (" + printable(offered) + ")" +
                             (ch->is_tls() ? "" : "; PLAIN and LOGIN need TLS"),
                         {}, sasl::errc::no_mechanism, {});
    }
    for (std::size_t i = 0; i < ranked.size(); ++i) {
        const std::string& name = ranked[i];
        auto mech = sasl::make_mechanism(name, creds_used, opts.auth_limits);
        if (!mech) continue;
        smtp_binding binding(*this, name);
        const sasl::exchange_result res = sasl::exchange(*mech, binding, opts.exchange_limits);
        if (res.ok) {
            sess.on_authenticated();
            info.auth_mechanism = name;
            creds = in;
            selection = sel;
            return;
        }
        const reply& last = binding.last();
        const bool more = i + 1 < ranked.size();
        if (more && (last.code == 504 || last.code == 534)) continue;  // mechanism unknown / too weak
        if (res.final_reply.type == sasl::reply::kind::success) {
            // The server said 235 but did not prove itself (SCRAM server
            // signature): do not keep using this connection.
            close();
        }
        std::string what = "authentication with " + name + " failed";
        if (!last.empty()) what += ": " + describe(last);
        throw auth_error(errc::auth_failed, what, last,
                         res.error ? res.error : std::error_code(sasl::errc::rejected), name);
    }
    throw auth_error(errc::auth_unavailable, "no offered mechanism could be used", {}, sasl::errc::no_mechanism, {});
}

void client::impl::reconnect() {
    auto saved_creds = std::move(creds);
    const auto saved_sel = selection;
    close();
    creds.reset();
    ch.emplace(net::open_channel(ep, opts.session));
    try {
        opening();
        if (saved_creds) authenticate(*saved_creds, saved_sel);
    } catch (const net::transport_error&) {
        close();
        throw;
    }
}

// ---- client -------------------------------------------------------------------

namespace {
// What a moved-from client reports.
const client::impl& empty_impl() {
    static const client::impl e;
    return e;
}
} // namespace

client::client() : impl_(std::make_unique<impl>()) {}
client::~client() {
    if (impl_) impl_->close();
}
client::client(client&&) noexcept = default;
client& client::operator=(client&& other) noexcept {
    if (this != &other) {
        if (impl_) impl_->close();
        impl_ = std::move(other.impl_);
    }
    return *this;
}

void client::connect(const net::endpoint& ep, const client_options& opts) {
    if (!impl_) impl_ = std::make_unique<impl>();
    auto& d = *impl_;
    d.close();
    if (ep.proto != net::protocol::smtp && ep.proto != net::protocol::lmtp)
        throw request_error(errc::invalid_argument, "endpoint is not smtp or lmtp");
    std::string probe;
    if (auto ec = encode_hello(hello_kind::ehlo, opts.hello_name, probe))
        throw request_error(ec, "invalid hello name " + printable(opts.hello_name));
    d.ep = ep;
    d.opts = opts;
    d.creds.reset();
    d.can_reconnect = true;
    d.ch.emplace(net::open_channel(ep, opts.session));
    try {
        d.opening();
    } catch (...) {
        d.close();
        throw;
    }
}

void client::connect(net::channel ch, const net::endpoint& ep, const client_options& opts) {
    if (!impl_) impl_ = std::make_unique<impl>();
    auto& d = *impl_;
    d.close();
    if (ep.proto != net::protocol::smtp && ep.proto != net::protocol::lmtp)
        throw request_error(errc::invalid_argument, "endpoint is not smtp or lmtp");
    std::string probe;
    if (auto ec = encode_hello(hello_kind::ehlo, opts.hello_name, probe))
        throw request_error(ec, "invalid hello name " + printable(opts.hello_name));
    d.ep = ep;
    d.opts = opts;
    d.creds.reset();
    d.can_reconnect = false;
    d.ch.emplace(std::move(ch));
    if (opts.session.trace.hook) d.ch->set_trace(opts.session.trace);
    try {
        d.opening();
    } catch (...) {
        d.close();
        throw;
    }
}

void client::authenticate(const sasl::credentials& creds, const sasl::selection_options& sel) {
    if (!impl_) throw request_error(errc::invalid_state, "not connected");
    auto& d = *impl_;
    try {
        d.authenticate(creds, sel);
    } catch (const net::transport_error&) {
        d.close();
        throw;
    }
}

send_result client::send(const envelope& env, std::string_view message) {
    return send(env, net::string_source(message));
}

send_result client::send(const envelope& env, const net::source_fn& source) {
    if (!impl_) throw request_error(errc::invalid_state, "not connected");
    auto& d = *impl_;
    try {
        return d.send(env, source);
    } catch (const net::transport_error&) {
        d.close();
        throw;
    }
}

void client::reset() {
    if (!impl_) throw request_error(errc::invalid_state, "not connected");
    auto& d = *impl_;
    d.require_open();
    if (!d.sess.allowed(command::rset)) throw request_error(errc::invalid_state, "RSET not allowed now");
    try {
        d.write("RSET");
        reply r = d.read_reply();
        d.check_closing(r, "RSET");
        if (!r.positive()) throw command_error(errc::command_refused, "RSET refused: " + describe(r), r);
        d.dirty = false;
        if (d.sess.current() == state::mail || d.sess.current() == state::rcpt) d.sess.on_transaction_end();
    } catch (const net::transport_error&) {
        d.close();
        throw;
    }
}

void client::noop() {
    if (!impl_) throw request_error(errc::invalid_state, "not connected");
    auto& d = *impl_;
    d.require_open();
    if (!d.sess.allowed(command::noop)) throw request_error(errc::invalid_state, "NOOP not allowed now");
    try {
        d.write("NOOP");
        reply r = d.read_reply();
        d.check_closing(r, "NOOP");
        if (!r.positive()) throw command_error(errc::command_refused, "NOOP refused: " + describe(r), r);
    } catch (const net::transport_error&) {
        d.close();
        throw;
    }
}

void client::quit() {
    if (impl_) impl_->quit_quietly();
}

void client::close() noexcept {
    if (impl_) impl_->close();
}

bool client::is_connected() const noexcept {
    return impl_ && impl_->open() && impl_->sess.current() != state::closed;
}

const session_info& client::info() const noexcept { return (impl_ ? *impl_ : empty_impl()).info; }
const capabilities& client::caps() const noexcept { return (impl_ ? *impl_ : empty_impl()).sess.caps(); }
const session& client::state() const noexcept { return (impl_ ? *impl_ : empty_impl()).sess; }
net::channel& client::channel() {
    if (!impl_) throw request_error(errc::invalid_state, "not connected");
    return impl_->chan();
}

} // namespace pigeon::smtp
