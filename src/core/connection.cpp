#include "pigeon/core/connection.hpp"

#include <algorithm>
#include <utility>

#include "pigeon/net/ascii.hpp"

namespace pigeon::core {
namespace {

// The SASL binding every protocol uses: the dialect says how the start line
// looks and how a reply reads; sending, masking and the cancel line are here.
class line_binding final : public sasl::binding {
public:
    line_binding(connection& c, dialect& d, std::string mechanism)
        : c_(c), d_(d), mechanism_(std::move(mechanism)) {}

    void send_start(std::string_view mech, const std::optional<std::string>& initial_b64) override {
        std::string line = d_.sasl_start_line(mech, initial_b64);
        if (initial_b64 && line.size() >= initial_b64->size()) {
            // The initial response ends the line: mask it.
            c_.write_line(line, net::secret_span{line.size() - initial_b64->size(), std::string_view::npos});
        } else {
            c_.write_line(line);
        }
    }
    void send_response(std::string_view b64) override {
        for (char ch : b64)
            if (ch == '\r' || ch == '\n' || ch == '\0')
                throw request_error(errc::invalid_argument, std::string(d_.protocol_name()) + " SASL response");
        c_.write_line(d_.sasl_response_line(b64), net::secret_span{0, std::string_view::npos});
    }
    void send_cancel() override { c_.write_line("*"); }
    sasl::reply read_reply() override {
        sasl_step s = d_.read_sasl_reply();
        last_ = std::move(s.server);
        return std::move(s.reply);
    }
    bool initial_response_fits(std::size_t b64_length) const override {
        return d_.sasl_initial_response_fits(mechanism_, b64_length);
    }
    const server_reply& last() const noexcept { return last_; }

private:
    connection& c_;
    dialect& d_;
    std::string mechanism_;
    server_reply last_;
};

bool names(const std::vector<std::string>& allowed, std::string_view name) {
    return std::any_of(allowed.begin(), allowed.end(),
                       [&](const std::string& a) { return net::ascii::iequals(a, name); });
}

} // namespace

void connection::attach(net::channel ch, const net::endpoint& ep, const net::session_options& opts) {
    ch_.emplace(std::move(ch));
    host_ = ep.host;
    port_ = ep.port;
    if (opts.trace.hook) ch_->set_trace(opts.trace);
}

void connection::open(const net::endpoint& ep, const net::session_options& opts) {
    attach(net::open_channel(ep, opts), ep, opts);
}

net::channel& connection::channel() {
    if (!is_open()) throw request_error(errc::invalid_state, "not connected");
    return *ch_;
}

const net::channel& connection::channel() const {
    if (!is_open()) throw request_error(errc::invalid_state, "not connected");
    return *ch_;
}

void connection::close() noexcept {
    if (ch_) ch_->close();
}

std::string_view connection::read_line(std::size_t max, std::string_view context) {
    if (!is_open()) throw request_error(errc::invalid_state, "not connected");
    std::error_code ec;
    auto line = ch_->read_line(max, ec);
    if (ec) {
        if (ec == net::errc::line_too_long) fail(errc::line_too_long, std::string(context));
        transport_failed(ec, context);
    }
    return line;
}

void connection::write_line(std::string_view line, net::secret_span secret) {
    if (!is_open()) throw request_error(errc::invalid_state, "not connected");
    std::error_code ec;
    ch_->write_command(line, ec, secret);
    if (ec == net::errc::invalid_argument) throw request_error(errc::invalid_argument, "command contains CR, LF or NUL");
    if (ec) transport_failed(ec, "sending a command");
}

void connection::write_lines(const std::vector<std::string>& lines) {
    if (!is_open()) throw request_error(errc::invalid_state, "not connected");
    std::error_code ec;
    ch_->write_commands(lines, ec);
    if (ec == net::errc::invalid_argument) throw request_error(errc::invalid_argument, "command contains CR, LF or NUL");
    if (ec) transport_failed(ec, "sending commands");
}

void connection::write_raw(std::string_view bytes) {
    if (!is_open()) throw request_error(errc::invalid_state, "not connected");
    std::error_code ec;
    ch_->write_raw(bytes, ec);
    if (ec) transport_failed(ec, "sending data");
}

std::uint64_t connection::read_dot_block(const net::sink_fn& sink, std::size_t max_bytes, std::string_view context) {
    if (!is_open()) throw request_error(errc::invalid_state, "not connected");
    std::error_code ec;
    std::uint64_t n = 0;
    try {
        ch_->read_dot_block(
            [&](std::string_view chunk) {
                n += chunk.size();
                if (sink) sink(chunk);
            },
            max_bytes, ec);
    } catch (...) {
        close();
        throw;
    }
    if (ec) {
        if (ec == net::errc::line_too_long) fail(errc::response_too_large, std::string(context));
        transport_failed(ec, context);
    }
    return n;
}

std::vector<std::string> connection::read_dot_lines(std::size_t max_bytes, std::string_view context) {
    std::string block;
    read_dot_block(net::string_sink(block), max_bytes, context);
    return net::ascii::split_lines(block);
}

void connection::send(const std::optional<command_line>& cmd, const std::error_code& ec, std::string_view what) {
    if (!cmd) throw request_error(ec ? ec : make_error_code(errc::invalid_argument), std::string(what));
    write_line(cmd->line, cmd->secret);
}

std::string_view connection::exchange_line(const std::optional<command_line>& cmd, const std::error_code& ec,
                                          std::string_view what, std::size_t max_line) {
    send(cmd, ec, what);
    return read_line(max_line, "reading the reply to " + std::string(what));
}

void connection::connect(dialect& d, const net::endpoint& ep, const net::session_options& opts, session_info& info) {
    open(ep, opts);
    set_up(d, ep.tls, opts.tls, info);
}

void connection::connect(dialect& d, net::channel ch, const net::endpoint& ep, const net::session_options& opts,
                         session_info& info) {
    attach(std::move(ch), ep, opts);
    set_up(d, ep.tls, opts.tls, info);
}

void connection::fail(errc e, const std::string& what, server_reply r) { fail(make_error_code(e), what, std::move(r)); }

void connection::fail(std::error_code ec, const std::string& what, server_reply r) {
    close();
    throw protocol_error(ec, what, std::move(r));
}

void connection::transport_failed(std::error_code ec, std::string_view context) {
    close();
    net::throw_error(ec, std::string(context));
}

void connection::start_tls(const net::tls_options& tls, std::string_view context) {
    std::error_code ec;
    ch_->start_tls(tls, ec);
    if (ec) {
        const std::string& detail = ch_->failure_detail();
        transport_failed(ec, detail.empty() ? context : std::string_view(detail));
    }
}

void connection::set_up(dialect& d, net::tls_mode mode, const net::tls_options& tls, session_info& info) {
    if (!is_open()) throw request_error(errc::invalid_state, "not connected");
    info = session_info{};
    if (mode == net::tls_mode::implicit && !is_tls()) fail(errc::invalid_state, "implicit TLS on a clear connection");
    if (is_tls()) {
        d.on_tls_established();
        info.tls_active = true;
    }
    d.read_greeting(mode);
    const bool need_tls = mode == net::tls_mode::starttls && !is_tls();
    auto caps = d.read_capabilities(need_tls);
    if (is_tls()) {
        info.capabilities_after_tls = caps.value_or(std::vector<std::string>{});
        return;
    }
    info.capabilities_before_tls = caps.value_or(std::vector<std::string>{});
    if (!need_tls) return;

    // STARTTLS is required from here on: anything but a clean upgrade ends
    // the connection before another command is sent.
    if (!d.starttls_offered()) {
        d.say_goodbye();
        fail(errc::starttls_not_offered, std::string(d.protocol_name()) + ": STARTTLS not offered" +
                                             (caps ? "" : " (capabilities unavailable)"));
    }
    d.request_starttls();
    start_tls(tls, "STARTTLS");
    d.on_tls_established();
    info.tls_active = true;
    info.starttls_used = true;
    ch_->trace_info("TLS established; capabilities learned before TLS discarded");
    info.capabilities_after_tls = d.read_capabilities(false).value_or(std::vector<std::string>{});
}

auth_result connection::authenticate(dialect& d, const sasl::credentials& given, const sasl::selection_options& sel,
                                     const auth_limits& limits, session_info& info) {
    if (!is_open()) throw auth_error(errc::invalid_state, "not connected");
    sasl::credentials creds = given;
    if (creds.host.empty()) creds.host = host_;
    if (creds.port == 0) creds.port = port_;
    const std::string proto = d.protocol_name();
    const bool tls = is_tls();
    const std::vector<std::string> offered = d.sasl_mechanisms();
    const std::vector<std::string> ranked = sasl::rank(offered, creds, tls, sel);

    for (std::size_t i = 0; i < ranked.size(); ++i) {
        const std::string& mech = ranked[i];
        auto m = sasl::make_mechanism(mech, creds, limits.mechanisms);
        if (!m) continue;
        line_binding b(*this, d, mech);
        auto result = sasl::exchange(*m, b, limits.exchange);
        if (result.ok) {
            d.after_auth();
            info.auth_mechanism = mech;
            return {mech, false};
        }
        if (result.final_reply.type == sasl::reply::kind::success) {
            // The server said yes but could not prove it knows the password
            // (SCRAM server signature): this connection is not to be used.
            close();
            throw auth_error(errc::auth_failed,
                             proto + " SASL " + mech + ": server not verified (" + result.error.message() + ")",
                             b.last(), result.error, mech);
        }
        if (d.mechanism_unavailable(b.last()) && i + 1 < ranked.size()) continue;
        std::string what = proto + " SASL " + mech;
        if (!b.last().empty()) what += ": " + excerpt(b.last().text());
        else if (result.error) what += ": " + result.error.message();
        throw auth_error(errc::auth_failed, what, b.last(), result.error, mech);
    }

    const std::string command = d.password_command();
    if (!command.empty() && (sel.allowed.empty() || names(sel.allowed, command))) {
        if (!tls && !sel.allow_cleartext_secrets)
            throw auth_error(errc::cleartext_refused, proto + " " + command, {}, {}, command);
        if (creds.password.empty() && creds.username.empty())
            throw auth_error(errc::no_mechanism, proto + ": no credentials for " + command, {}, {}, command);
        d.password_login(creds);
        d.after_auth();
        info.auth_mechanism = command;
        return {command, true};
    }
    // Explain why nothing could be used: only cleartext-unsafe mechanisms, or none at all.
    if (!tls && !sel.allow_cleartext_secrets && !sasl::rank(offered, creds, true, sel).empty())
        throw auth_error(errc::cleartext_refused, proto + ": only mechanisms that need TLS are offered");
    throw auth_error(errc::no_mechanism, proto + ": no usable authentication mechanism offered");
}

} // namespace pigeon::core
