#include "pigeon/nntp/client.hpp"

#include <utility>

#include "pigeon/net/ascii.hpp"

namespace pigeon::nntp {

core::server_reply to_server_reply(const reply& r) {
    core::server_reply out;
    out.code = r.code;
    out.lines.push_back(r.line);
    if (r.code >= 400)
        out.severity = r.transient() ? core::server_reply::kind::transient : core::server_reply::kind::permanent;
    return out;
}

void client::prepare(const client_options& opts) {
    close();
    opts_ = opts;
    info_ = {};
}

void client::close() noexcept {
    conn_.close();
    session_.on_closed();
    overview_fmt_.reset();
    reader_tried_ = false;
    xover_unknown_ = false;
}

// ---- the dialect -------------------------------------------------------------------

void client::read_greeting(net::tls_mode) {
    session_ = session{};
    std::string line(conn_.read_line(opts_.limits.max_line, "reading the NNTP greeting"));
    auto r = parse_reply(line);
    if (!r) conn_.fail(errc::bad_greeting, "NNTP greeting: " + core::excerpt(line));
    info_.greeting = line;
    info_.greeting_code = r->code;
    if (r->code == 200 || r->code == 201) {
        session_.on_greeting(r->code);
        return;
    }
    if (r->code == 400 || r->code == 502)
        conn_.fail(errc::greeting_refused, "NNTP greeting: " + core::excerpt(line), to_server_reply(*r));
    conn_.fail(errc::bad_greeting, "NNTP greeting: " + core::excerpt(line), to_server_reply(*r));
}

std::optional<std::vector<std::string>> client::read_capabilities(bool) {
    std::error_code ec;
    reply r = run(encode_command({"CAPABILITIES"}, ec), ec, "CAPABILITIES");
    if (r.code != 101) {
        // QUIRK(INN and older servers): 480 before authentication, 500/501
        // from servers that predate RFC 3977, 502 when access is denied:
        // the list is simply not available now.
        if (r.code < 400) conn_.fail(errc::unexpected_reply, "CAPABILITIES: " + core::excerpt(r.line), to_server_reply(r));
        session_.on_capabilities_unavailable();
        return std::nullopt;
    }
    return conn_.read_capability_list<nntp::capabilities>(session_, opts_.limits.max_capabilities_bytes,
                                                          "reading CAPABILITIES");
}

bool client::starttls_offered() const { return session_.caps_known() && session_.caps().starttls(); }

void client::request_starttls() {
    std::error_code ec;
    std::string line(conn_.exchange_line(encode_command({"STARTTLS"}, ec), ec, "STARTTLS", opts_.limits.max_line));
    auto r = parse_reply(line);
    if (!r || r->code != 382)
        conn_.fail(errc::starttls_refused, "STARTTLS: " + core::excerpt(line), r ? to_server_reply(*r) : server_reply{});
}

void client::on_tls_established() { session_.on_tls_established(); }

std::vector<std::string> client::sasl_mechanisms() const {
    if (!session_.caps().authinfo_sasl()) return {};
    return session_.caps().sasl_mechanisms();
}

std::string client::sasl_start_line(std::string_view mechanism, const std::optional<std::string>& initial_b64) {
    std::error_code ec;
    auto cmd = encode_authinfo_sasl(mechanism, initial_b64, ec);
    if (!cmd) throw request_error(errc::invalid_argument, "AUTHINFO SASL " + core::excerpt(mechanism));
    return cmd->line;
}

std::string client::sasl_response_line(std::string_view b64) const {
    std::error_code ec;
    auto cmd = encode_sasl_response(b64, ec);  // RFC 4643 2.4.1: empty is "="
    if (!cmd) throw request_error(errc::invalid_argument, "AUTHINFO SASL response");
    return cmd->line;
}

bool client::sasl_initial_response_fits(std::string_view mechanism, std::size_t b64_length) const {
    // "AUTHINFO SASL " mech SP response CRLF within 512 octets (RFC 4643 2.4.1).
    return 14 + mechanism.size() + 1 + b64_length + 2 <= max_command_line;
}

core::sasl_step client::read_sasl_reply() {
    reply r = read_reply("reading an AUTHINFO SASL reply");
    core::sasl_step s;
    s.reply.text = r.line;
    s.server = to_server_reply(r);
    std::string_view payload = net::ascii::trim(r.text);
    if (payload == "=") payload = {};  // an empty challenge or success data
    switch (r.code) {
    case 383:
        s.reply.type = sasl::reply::kind::challenge;
        s.reply.payload.assign(payload);
        break;
    case 281: s.reply.type = sasl::reply::kind::success; break;
    case 283:
        s.reply.type = sasl::reply::kind::success;
        s.reply.payload.assign(payload);
        break;
    default: s.reply.type = sasl::reply::kind::failure; break;
    }
    return s;
}

bool client::mechanism_unavailable(const core::server_reply& final_reply) const {
    // 503: mechanism not recognised / not supported (RFC 4643 2.4.2); 481 is
    // a refusal of the credentials.
    return final_reply.code == 503;
}

std::string client::password_command() const {
    if (session_.current() != nntp::state::ready) return {};
    const auto& caps = session_.caps();
    // Offered, or no capability list to say otherwise.
    return (!session_.caps_known() || caps.authinfo_user()) ? "AUTHINFO USER" : "";
}

void client::password_login(const sasl::credentials& creds) {
    std::error_code ec;
    auto u = encode_authinfo_user(creds.username, ec);
    auto p = encode_authinfo_pass(creds.password, ec);
    if (!u || !p) throw auth_error(errc::invalid_argument, "AUTHINFO USER", {}, {}, "AUTHINFO USER");
    reply r = run(u, {}, "AUTHINFO USER");
    if (r.code == 381) r = run(p, {}, "AUTHINFO PASS");
    if (r.code != 281)
        throw auth_error(errc::auth_failed, "AUTHINFO: " + core::excerpt(r.line), to_server_reply(r), {},
                         "AUTHINFO USER");
}

void client::after_auth() {
    session_.on_authenticated();
    read_capabilities(false);
}

// ---- public commands -----------------------------------------------------------

auth_result client::authenticate(const sasl::credentials& creds, const sasl::selection_options& sel) {
    if (state() != nntp::state::ready) throw auth_error(errc::invalid_state, "AUTHINFO: not in the ready state");
    // A mode-switching server authenticates the reader it switches to.
    if (session_.caps_known()) ensure_reader();
    auto result = conn_.authenticate(*this, creds, sel, opts_.auth, info_);
    if (opts_.compress && session_.caps().has_argument("COMPRESS", "DEFLATE")) compress();
    return result;
}

void client::login(std::string_view user, std::string_view password, bool allow_cleartext) {
    if (state() != nntp::state::ready) throw auth_error(errc::invalid_state, "AUTHINFO USER");
    if (!conn_.is_tls() && !allow_cleartext)
        throw auth_error(errc::cleartext_refused, "AUTHINFO USER", {}, {}, "AUTHINFO USER");
    if (session_.caps_known()) ensure_reader();
    sasl::credentials creds;
    creds.username = std::string(user);
    creds.password = std::string(password);
    password_login(creds);
    after_auth();
    info_.auth_mechanism = "AUTHINFO USER";
    if (opts_.compress && session_.caps().has_argument("COMPRESS", "DEFLATE")) compress();
}

const nntp::capabilities& client::refresh_capabilities() {
    if (!conn_.is_open()) throw request_error(errc::invalid_state, "CAPABILITIES: not connected");
    read_capabilities(false);
    return session_.caps();
}

void client::compress() {
    require_connected("COMPRESS");
    if (is_compressed()) return;
    if (!session_.caps().has_argument("COMPRESS", "DEFLATE"))
        throw request_error(errc::not_supported, "COMPRESS: the server does not offer COMPRESS DEFLATE");
    std::error_code ec;
    reply r = run(encode_compress_deflate(ec), ec, "COMPRESS DEFLATE");
    if (r.code != 206) refused("COMPRESS DEFLATE", r);
    conn_.channel().start_compression(ec);
    if (ec) conn_.transport_failed(ec, "starting COMPRESS DEFLATE");
}

bool client::is_compressed() const noexcept { return conn_.is_open() && conn_.channel().is_compressed(); }

void client::noop() {
    std::error_code ec;
    reply r = run(encode_command({"DATE"}, ec), ec, "DATE");
    if (r.code != 111) refused("DATE", r);
}

void client::quit() {
    if (!conn_.is_open()) return;
    std::error_code ec;
    reply r = run(encode_command({"QUIT"}, ec), ec, "QUIT");
    close();
    if (r.code != 205) throw command_error(errc::command_failed, "QUIT: " + core::excerpt(r.line), to_server_reply(r));
}

// ---- plumbing --------------------------------------------------------------------

reply client::read_reply(std::string_view context) {
    std::string_view line = conn_.read_line(opts_.limits.max_line, context);
    auto r = parse_reply(line);
    if (!r) conn_.fail(errc::malformed_reply, std::string(context) + ": " + core::excerpt(line));
    return std::move(*r);
}

void client::send(const std::optional<command_line>& cmd, const std::error_code& ec, const char* what) {
    conn_.send(cmd, ec, what);
}

reply client::run(const std::optional<command_line>& cmd, const std::error_code& ec, const char* what) {
    send(cmd, ec, what);
    return read_reply(std::string("reading the reply to ") + what);
}

std::uint64_t client::read_block(const net::sink_fn& sink, std::size_t max, std::string_view context) {
    return conn_.read_dot_block(sink, max, context);  // closes when stopped half way
}

void client::refused(const char* what, const reply& r) {
    throw command_error(errc::command_failed, std::string(what) + ": " + core::excerpt(r.line), to_server_reply(r));
}

} // namespace pigeon::nntp
