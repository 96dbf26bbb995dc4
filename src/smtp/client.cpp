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

std::string printable(std::string_view s) { return core::excerpt(s, s.size()); }

core::server_reply to_server_reply(const reply& r) {
    core::server_reply out;
    out.code = r.code;
    if (r.status) out.response_code = r.status->to_string();
    out.lines.reserve(r.lines.size());
    for (const auto& l : r.lines) out.lines.push_back(std::to_string(r.code) + " " + l);
    if (r.transient()) out.severity = core::server_reply::kind::transient;
    else if (r.permanent()) out.severity = core::server_reply::kind::permanent;
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

} // namespace

// ---- impl: I/O helpers ------------------------------------------------------

net::channel& client::impl::chan() {
    require_open();
    return conn.channel();
}

void client::impl::require_open() const {
    if (!open() || sess.current() == smtp::state::closed || sess.current() == smtp::state::disconnected)
        throw request_error(errc::invalid_state, "not connected");
}

void client::impl::write(std::string_view line, net::secret_span secret) { conn.write_line(line, secret); }

reply client::impl::read_reply() {
    parser.reset();
    for (;;) {
        const std::string_view line = conn.read_line(opts.limits.max_line_length, "reading an SMTP reply");
        const auto st = parser.feed_line(line);
        if (st == reply_parser::status::ready) return parser.take();
        if (st == reply_parser::status::error) {
            reply partial = parser.value();
            fail(static_cast<errc>(parser.error().value()), "malformed reply from the server", std::move(partial));
        }
    }
}

void client::impl::fail(errc e, const std::string& what, reply r) {
    sess.on_closed();
    info.tls_active = false;
    dirty = false;
    conn.fail(e, what, to_server_reply(r));
}

void client::impl::check_closing(const reply& r, std::string_view during) {
    if (r.code == 421) fail(errc::service_unavailable, std::string(during) + ": " + describe(r), r);
}

void client::impl::close() noexcept {
    conn.close();
    if (sess.current() != smtp::state::disconnected) sess.on_closed();
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

// ---- impl: the dialect ------------------------------------------------------------

void client::impl::opening() {
    const bool lmtp = ep.proto == net::protocol::lmtp;
    sess.on_connected(lmtp, conn.is_tls());
    parser = reply_parser(opts.limits);
    dirty = false;
    info = session_info{};
    conn.set_up(*this, ep.tls, opts.net.tls, info);
    info.lmtp = lmtp;
}

void client::impl::read_greeting(net::tls_mode) {
    reply greeting = read_reply();
    sess.on_greeting();
    if (greeting.code != 220) {
        // 554: no service here (RFC 5321 3.1: wait for QUIT); 421: closing.
        if (greeting.code != 421) quit_quietly();
        const errc e = (greeting.code == 554 || greeting.code == 421) ? errc::greeting_refused : errc::bad_greeting;
        fail(e, "server refused the connection: " + describe(greeting), std::move(greeting));
    }
    info.greeting = join_lines(greeting.lines);
}

std::optional<std::vector<std::string>> client::impl::read_capabilities(bool) {
    std::vector<std::string> record;
    hello(record);
    return record;
}

void client::impl::hello(std::vector<std::string>& record) {
    const bool lmtp = sess.lmtp();
    std::string line;
    if (auto ec = encode_hello(lmtp ? hello_kind::lhlo : hello_kind::ehlo, opts.hello_name, line))
        throw request_error(ec, "invalid hello name " + printable(opts.hello_name));
    write(line);
    reply r = read_reply();
    check_closing(r, lmtp ? "LHLO" : "EHLO");
    smtp::capabilities caps;
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

bool client::impl::starttls_offered() const { return sess.allowed(command::starttls); }

void client::impl::request_starttls() {
    // TLS is required: anything but 220 ends the session with nothing sent
    // but QUIT (RFC 8314 5; EAST O_*/D_*; curl CVE-2021-22946).
    write("STARTTLS");  // never pipelined with anything
    reply r = read_reply();
    if (r.code != 220) {
        if (r.code != 421) quit_quietly();
        fail(errc::starttls_refused, "TLS required, but STARTTLS was answered " + describe(r), r);
    }
}

void client::impl::on_tls_established() {
    // Everything learned before TLS is discarded (RFC 3207 4.2): EHLO again.
    sess.on_tls();
    parser.set_enhanced_status_codes(false);
}

std::vector<std::string> client::impl::sasl_mechanisms() const { return sess.caps().auth_mechanisms; }

std::string client::impl::sasl_start_line(std::string_view mech, const std::optional<std::string>& initial_b64) {
    std::string line;
    std::size_t offset = std::string::npos;
    if (auto ec = encode_auth(mech, initial_b64, line, offset))
        throw request_error(ec, "cannot encode AUTH " + printable(mech));
    return line;
}

bool client::impl::sasl_initial_response_fits(std::string_view mech, std::size_t b64_length) const {
    // "AUTH " mech " " initial CRLF within 512 octets (RFC 4954 4, RFC 5321 4.5.3.1.4)
    return 5 + mech.size() + 1 + b64_length + 2 <= 512;
}

core::sasl_step client::impl::read_sasl_reply() {
    reply last = read_reply();
    check_closing(last, "AUTH");
    core::sasl_step out;
    if (last.code == 334) {
        out.reply.type = sasl::reply::kind::challenge;
        std::string_view p = last.lines.empty() ? std::string_view{} : std::string_view(last.lines[0]);
        while (!p.empty() && (p.front() == ' ' || p.front() == '\t')) p.remove_prefix(1);
        while (!p.empty() && (p.back() == ' ' || p.back() == '\t')) p.remove_suffix(1);
        out.reply.payload = std::string(p);
    } else if (last.code == 235) {
        out.reply.type = sasl::reply::kind::success;
    } else {
        out.reply.type = sasl::reply::kind::failure;
    }
    out.reply.text = last.to_string();
    out.server = to_server_reply(last);
    return out;
}

bool client::impl::mechanism_unavailable(const core::server_reply& final_reply) const {
    return final_reply.code == 504 || final_reply.code == 534;  // mechanism unknown / too weak
}

void client::impl::after_auth() { sess.on_authenticated(); }

core::auth_result client::impl::authenticate(const sasl::credentials& in, const sasl::selection_options& sel) {
    require_open();
    if (sess.authenticated()) throw request_error(errc::invalid_state, "already authenticated");
    if (sess.current() != smtp::state::ready) throw request_error(errc::invalid_state, "AUTH is not allowed in a transaction");
    if (sess.caps().auth_mechanisms.empty())
        throw auth_error(errc::no_mechanism, "the server offers no AUTH", {}, sasl::errc::no_mechanism, {});
    auto result = conn.authenticate(*this, in, sel, opts.auth, info);
    creds = in;
    selection = sel;
    return result;
}

void client::impl::reconnect() {
    auto saved_creds = std::move(creds);
    const auto saved_sel = selection;
    close();
    creds.reset();
    conn.open(ep, opts.net);
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
    d.conn.open(ep, opts.net);
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
    d.conn.attach(std::move(ch), ep, opts.net);
    try {
        d.opening();
    } catch (...) {
        d.close();
        throw;
    }
}

auth_result client::authenticate(const sasl::credentials& creds, const sasl::selection_options& sel) {
    if (!impl_) throw request_error(errc::invalid_state, "not connected");
    auto& d = *impl_;
    try {
        return d.authenticate(creds, sel);
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
        if (!r.positive()) throw command_error(errc::command_failed, "RSET refused: " + describe(r), to_server_reply(r));
        d.dirty = false;
        if (d.sess.current() == smtp::state::mail || d.sess.current() == smtp::state::rcpt) d.sess.on_transaction_end();
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
        if (!r.positive()) throw command_error(errc::command_failed, "NOOP refused: " + describe(r), to_server_reply(r));
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
    return impl_ && impl_->open() && impl_->sess.current() != smtp::state::closed;
}

const session_info& client::info() const noexcept { return (impl_ ? *impl_ : empty_impl()).info; }
const smtp::capabilities& client::capabilities() const noexcept { return (impl_ ? *impl_ : empty_impl()).sess.caps(); }
smtp::state client::state() const noexcept {
    if (!impl_ || !impl_->open()) return smtp::state::disconnected;
    return impl_->sess.current();
}
net::channel& client::channel() {
    if (!impl_) throw request_error(errc::invalid_state, "not connected");
    return impl_->chan();
}

} // namespace pigeon::smtp
