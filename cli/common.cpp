#include "common.hpp"

#include <sys/ioctl.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "pigeon/account/error.hpp"
#include "pigeon/imap/error.hpp"
#include "pigeon/mime/compose_error.hpp"
#include "pigeon/net/error.hpp"
#include "pigeon/nntp/error.hpp"
#include "pigeon/pop3/error.hpp"
#include "pigeon/sasl/error.hpp"
#include "pigeon/smtp/error.hpp"

namespace pigeon::cli {

void tls_flags::add_to(CLI::App& app) {
    app.add_option("--tls", mode, "TLS mode: starttls (required upgrade), implicit, or none")
        ->check(CLI::IsMember({"starttls", "implicit", "none"}));
    app.add_option("--tls-ca", ca_file, "Trust the CA certificates in this PEM file too")->check(CLI::ExistingFile);
    app.add_option("--pin", pins, "Accept only a certificate with this SHA-256 fingerprint (hex or sha256:base64)");
    app.add_option("--tls-cert", client_cert, "Client certificate (PEM)")->check(CLI::ExistingFile);
    app.add_option("--tls-key", client_key, "Client private key (PEM)")->check(CLI::ExistingFile);
    app.add_flag("--insecure", insecure, "Do not verify the server certificate (never the default)");
    app.add_option("--proxy", proxy,
                   "Connect through a proxy: socks5h://[user[:pw]@]host[:port] (the proxy resolves the name), "
                   "socks5://... (resolved here), http://... (CONNECT), env (ALL_PROXY), none; "
                   "password also from PIGEON_PROXY_PASSWORD")
        ->type_name("URL");
}

std::optional<terminal_size> tty_size(int fd) {
    struct winsize ws {};
    if (::isatty(fd) != 1 || ::ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0) return std::nullopt;
    terminal_size t;
    t.columns = ws.ws_col;
    if (ws.ws_row > 0) t.rows = ws.ws_row;
    return t;
}

terminal_size terminal_size_of(int fd, terminal_size fallback) {
    if (auto t = tty_size(fd)) return *t;
    auto number = [](const std::string& v, std::size_t dflt) {
        if (v.empty() || v.size() > 5 || v.find_first_not_of("0123456789") != std::string::npos) return dflt;
        const std::size_t n = std::stoul(v);
        return n > 0 ? n : dflt;
    };
    fallback.columns = number(env_value("COLUMNS"), fallback.columns);
    fallback.rows = number(env_value("LINES"), fallback.rows);
    return fallback;
}

namespace {

/// The code point at s[i] (a lone or truncated lead byte is itself), i moved past it.
std::uint32_t decode_point(std::string_view s, std::size_t& i) {
    auto c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    if (i + static_cast<std::size_t>(len) > s.size()) len = 1;
    std::uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1fu) : len == 3 ? (c & 0x0fu) : (c & 0x07u);
    for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]) & 0x3fu);
    i += static_cast<std::size_t>(len);
    return cp;
}

std::size_t point_width(std::uint32_t cp) {
    if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
    static const std::pair<std::uint32_t, std::uint32_t> wide[] = {
        {0x1100, 0x115f}, {0x2e80, 0x303e}, {0x3041, 0xa4cf}, {0xac00, 0xd7a3}, {0xf900, 0xfaff},
        {0xfe30, 0xfe4f}, {0xff00, 0xff60}, {0xffe0, 0xffe6}, {0x1f300, 0x1f64f}, {0x1f900, 0x1f9ff},
        {0x20000, 0x3fffd},
    };
    for (const auto& [lo, hi] : wide)
        if (cp >= lo && cp <= hi) return 2;
    return 1;
}

std::string fit(std::string_view s, std::size_t width, bool pad) {
    std::string out;
    std::size_t w = display_width(s);
    if (w <= width) {
        out.assign(s);
    } else {
        w = 0;
        if (width > 0) {
            for (std::size_t i = 0; i < s.size();) {
                const std::size_t start = i;
                const std::size_t cw = point_width(decode_point(s, i));
                if (w + cw > width - 1) break;
                out.append(s.substr(start, i - start));
                w += cw;
            }
            out += "\xE2\x80\xA6";  // …
            ++w;
        }
    }
    if (pad && w < width) out.append(width - w, ' ');
    return out;
}

} // namespace

std::size_t display_width(std::string_view text) {
    std::size_t w = 0;
    for (std::size_t i = 0; i < text.size();) w += point_width(decode_point(text, i));
    return w;
}

std::string fit_columns(std::string_view text, std::size_t columns) { return fit(text, columns, false); }
std::string pad_columns(std::string_view text, std::size_t columns) { return fit(text, columns, true); }

std::string env_value(const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

namespace {

// A proxy URL as it may appear in a message: the user info dropped.

} // namespace

net::proxy_options tls_flags::proxy_options(const std::string& configured, const std::string& origin) const {
    std::string spec = proxy;
    std::string from = "--proxy";
    int bad = exit_usage;
    if (spec.empty()) {
        spec = env_value("PIGEON_PROXY");
        from = "PIGEON_PROXY";
        bad = exit_config;
    }
    if (spec.empty()) {
        spec = configured;
        from = origin.empty() ? std::string("proxy") : origin;
    }
    if (spec.empty() || spec == "none") return {};
    if (spec == "env") {
        // Only on request: a mail client that silently follows ALL_PROXY
        // surprises people.
        const char* name = "ALL_PROXY";
        spec = env_value(name);
        if (spec.empty()) {
            name = "all_proxy";
            spec = env_value(name);
        }
        if (spec.empty()) return {};
        from = std::string(name) + " (" + from + " = env)";
        bad = exit_config;
    }
    if (std::string why = check_proxy_spec(spec); !why.empty()) throw exit_error(bad, from + ": " + why);
    std::error_code ec;
    net::proxy_options p = *net::parse_proxy_url(spec, ec);
    if (!p.user.empty() && p.password.empty()) p.password = env_value("PIGEON_PROXY_PASSWORD");
    return p;
}

net::tls_options tls_flags::apply(net::endpoint& ep) const {
    if (!mode.empty() && ep.unix_path.empty()) {
        net::tls_mode m = mode == "implicit" ? net::tls_mode::implicit
                          : mode == "none"   ? net::tls_mode::none
                                             : net::tls_mode::starttls;
        ep.tls = m;
    }
    if (!client_key.empty() && client_cert.empty()) throw CLI::ValidationError("--tls-key", "needs --tls-cert");
    net::tls_options t;
    t.verify = !insecure;
    t.ca_file = ca_file;
    t.pins = pins;
    t.client_cert_file = client_cert;
    t.client_key_file = client_key;
    if (insecure) error_line("warning: --insecure: the server certificate is not verified");
    return t;
}

void trace_flags::add_to(CLI::App& app) {
    app.add_flag("-v,--verbose", verbosity, "Print the protocol dialogue on standard error (-vv: message data too)");
    app.add_flag("--trace-secrets", show_secrets, "Show passwords and AUTH data in the trace (unsafe)");
}

net::trace_options trace_flags::options() const {
    net::trace_options t;
    if (verbosity <= 0) return t;
    t.show_secrets = show_secrets;
    t.show_data = show_data || verbosity >= 2;
    t.hook = [](net::trace_direction d, std::string_view bytes) {
        const char* mark = d == net::trace_direction::sent ? "-> " : d == net::trace_direction::received ? "<- " : "=== ";
        std::string out;
        std::string_view rest = bytes;
        // Data chunks may hold many lines: print each with its marker.
        do {
            auto eol = rest.find('\n');
            std::string_view line = rest.substr(0, eol);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            out += mark;
            out += printable(line);
            out += '\n';
            rest.remove_prefix(eol == std::string_view::npos ? rest.size() : eol + 1);
        } while (!rest.empty());
        std::fwrite(out.data(), 1, out.size(), stderr);
    };
    return t;
}

void error_line(std::string_view message) {
    std::string line = "pigeon: ";
    line += message;
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
}

namespace {

// A server's refusal: temporary -> 75, authentication -> 77, else 69.
int refusal_code(bool is_auth, bool transient) {
    if (transient) return exit_tempfail;
    return is_auth ? exit_noperm : exit_unavailable;
}

} // namespace

int exit_code_for(const std::exception& e) {
    if (auto* x = dynamic_cast<const exit_error*>(&e)) return x->code();
    // The composer refused a value (header injection, bad address...): the
    // message data is bad; an unreadable attachment is missing input.
    if (auto* c = dynamic_cast<const mime::compose_error*>(&e))
        return c->code() == mime::compose_errc::file_error ? exit_noinput : exit_data;
    // One error model for every protocol (core/error.hpp).
    if (auto* c = dynamic_cast<const core::command_error*>(&e))
        return refusal_code(dynamic_cast<const core::auth_error*>(&e) != nullptr, c->is_transient());
    if (dynamic_cast<const core::request_error*>(&e)) return exit_data;
    if (auto* p = dynamic_cast<const core::protocol_error*>(&e))
        return p->is_transient() ? exit_tempfail : exit_protocol;
    if (auto* se = dynamic_cast<const std::system_error*>(&e)) {
        if (se->code().category() == sasl::sasl_category()) return exit_noperm;
        if (se->code().category() == account::account_category()) {
            switch (static_cast<account::errc>(se->code().value())) {
            case account::errc::no_permission: return exit_noperm;
            case account::errc::temporary: return exit_tempfail;
            default: return exit_config;
            }
        }
        const auto& ec = se->code();
        if (ec.category() == net::tls_category()) {
            if (ec == net::tls_errc::config_error) return exit_config;
            // A cut in the middle of the handshake is a network failure like
            // a cut at any other moment: the next try may work.
            if (ec == net::tls_errc::connection_lost) return exit_tempfail;
            return exit_unavailable;
        }
        if (ec.category() == net::net_category()) {
            switch (static_cast<net::errc>(ec.value())) {
            case net::errc::resolve_failed: return 68; // EX_NOHOST
            case net::errc::connect_failed:
            case net::errc::connect_timeout:
            case net::errc::timeout:
            case net::errc::connection_closed:
            case net::errc::io_error: return exit_tempfail;
            case net::errc::bad_url: return exit_usage;
            case net::errc::proxy_refused: return exit_unavailable;
            case net::errc::proxy_auth_failed: return exit_noperm;
            case net::errc::proxy_unreachable: return exit_tempfail;
            case net::errc::nul_in_data: return exit_data;  // the message, not the server
            default: return exit_protocol;
            }
        }
        // Any other dead connection: the server broke the protocol.
        if (dynamic_cast<const net::transport_error*>(&e)) return exit_protocol;
        return exit_software;
    }
    return exit_software;
}

int report_exception(const std::exception& e) {
    int code = exit_code_for(e);
    std::string msg = e.what();
    if (auto* te = dynamic_cast<const net::tls_error*>(&e)) msg = "TLS: " + std::string(te->what());
    error_line(printable(msg));
    return code;
}

} // namespace pigeon::cli
