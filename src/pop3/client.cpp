#include "pigeon/pop3/client.hpp"

#include <algorithm>
#include <deque>
#include <utility>

#include <openssl/evp.h>

#include "pigeon/net/ascii.hpp"

namespace pigeon::pop3 {

core::server_reply to_server_reply(const reply& r) {
    core::server_reply out;
    out.status = r.ok ? "+OK" : "-ERR";
    out.response_code = r.code;
    out.lines.push_back(r.line);
    if (!r.ok) out.severity = r.transient() ? core::server_reply::kind::transient : core::server_reply::kind::permanent;
    return out;
}

void client::prepare(const client_options& opts) {
    close();
    opts_ = opts;
}

void client::close() noexcept {
    conn_.close();
    session_.on_closed();
}

// ---- the dialect: greeting, CAPA, STLS, SASL syntax ---------------------------------

void client::read_greeting(net::tls_mode) {
    session_ = session{};
    apop_timestamp_.clear();
    std::string line(conn_.read_line(opts_.limits.max_line, "reading the POP3 greeting"));
    auto r = parse_reply(line);
    if (!r) conn_.fail(errc::bad_greeting, "POP3 greeting: " + core::excerpt(line));
    info_.greeting = line;
    if (!r->ok) conn_.fail(errc::greeting_refused, "POP3 greeting: " + core::excerpt(line), to_server_reply(*r));
    apop_timestamp_ = apop_timestamp(r->text);
    session_.on_greeting();
}

std::optional<std::vector<std::string>> client::read_capabilities(bool) {
    std::error_code ec;
    send(encode_simple("CAPA", ec), ec, "CAPA");
    reply r = read_reply("reading the reply to CAPA");
    if (!r.ok) {
        session_.on_capabilities_unavailable();
        return std::nullopt;
    }
    return conn_.read_capability_list<pop3::capabilities>(session_, opts_.limits.max_capa_bytes, "reading CAPA");
}

bool client::starttls_offered() const { return session_.caps_known() && session_.caps().stls(); }

void client::request_starttls() {
    std::error_code ec;
    std::string line(conn_.exchange_line(encode_simple("STLS", ec), ec, "STLS", opts_.limits.max_line));
    auto r = parse_reply(line);
    if (!r || !r->ok)
        conn_.fail(errc::starttls_refused, "STLS: " + core::excerpt(line), r ? to_server_reply(*r) : server_reply{});
}

void client::on_tls_established() { session_.on_tls_established(); }

std::vector<std::string> client::sasl_mechanisms() const { return session_.caps().sasl_mechanisms(); }

std::string client::sasl_start_line(std::string_view mechanism, const std::optional<std::string>& initial_b64) {
    std::error_code ec;
    auto cmd = encode_auth(mechanism, initial_b64, ec);
    if (!cmd) throw request_error(errc::invalid_argument, "AUTH " + core::excerpt(mechanism));
    return cmd->line;
}

bool client::sasl_initial_response_fits(std::string_view mechanism, std::size_t b64_length) const {
    // "AUTH " mech SP response CRLF within 255 octets (RFC 5034 section 4).
    return 5 + mechanism.size() + 1 + b64_length + 2 <= max_command_line;
}

core::sasl_step client::read_sasl_reply() {
    std::string line(conn_.read_line(opts_.limits.max_line, "reading a POP3 AUTH reply"));
    auto a = parse_auth_line(line);
    core::sasl_step s;
    s.reply.text = line;
    switch (a.type) {
    case auth_line::kind::continuation:
        s.reply.type = sasl::reply::kind::challenge;
        s.reply.payload = std::move(a.payload);
        s.server.lines.push_back(line);
        break;
    case auth_line::kind::ok:
        s.reply.type = sasl::reply::kind::success;
        s.server = to_server_reply(*a.status);
        break;
    case auth_line::kind::err:
        s.reply.type = sasl::reply::kind::failure;
        s.server = to_server_reply(*a.status);
        break;
    case auth_line::kind::invalid: conn_.fail(errc::malformed_reply, "reply to AUTH: " + core::excerpt(line));
    }
    return s;
}

bool client::mechanism_unavailable(const core::server_reply& final_reply) const {
    // With AUTH-RESP-CODE (RFC 3206) a refusal of the credentials says [AUTH],
    // a temporary failure [SYS/TEMP] or [IN-USE]: a bare -ERR is then about
    // the mechanism. Without it nothing tells them apart: no fallback.
    return session_.caps().has("AUTH-RESP-CODE") && final_reply.status == "-ERR" &&
           final_reply.response_code.empty();
}

std::string client::password_command() const {
    // USER/PASS: offered, or the server predates CAPA (RFC 1939 servers
    // without RFC 2449 still know USER).
    if (session_.current() != pop3::state::authorization) return {};
    return (session_.caps().user() || !session_.caps_known()) ? "USER" : "";
}

void client::password_login(const sasl::credentials& creds) {
    std::error_code ec;
    auto u = encode_user(creds.username, ec);
    auto p = encode_pass(creds.password, ec);
    if (!u || !p) throw auth_error(errc::invalid_argument, "USER/PASS", {}, {}, "USER");
    send(u, {}, "USER");
    reply r = read_reply("reading the reply to USER");
    if (!r.ok) throw auth_error(errc::auth_failed, "USER: " + core::excerpt(r.line), to_server_reply(r), {}, "USER");
    send(p, {}, "PASS");
    r = read_reply("reading the reply to PASS");
    if (!r.ok) throw auth_error(errc::auth_failed, "PASS: " + core::excerpt(r.line), to_server_reply(r), {}, "USER");
}

void client::after_auth() {
    session_.on_authenticated();
    // RFC 2449 section 5: CAPA may change after authentication (PIPELINING,
    // EXPIRE). A refusal keeps what was known.
    pop3::capabilities before = session_.caps();
    if (!read_capabilities(false)) session_.on_capabilities(std::move(before));
}

// ---- authentication ------------------------------------------------------------

auth_result client::authenticate(const sasl::credentials& creds, const sasl::selection_options& sel) {
    require(pop3::state::authorization, "authenticate");
    return conn_.authenticate(*this, creds, sel, opts_.auth, info_);
}

void client::login(std::string_view user, std::string_view password, bool allow_cleartext) {
    if (state() != pop3::state::authorization) throw auth_error(errc::invalid_state, "USER/PASS");
    if (!conn_.is_tls() && !allow_cleartext) throw auth_error(errc::cleartext_refused, "USER/PASS", {}, {}, "USER");
    sasl::credentials creds;
    creds.username = std::string(user);
    creds.password = std::string(password);
    password_login(creds);
    after_auth();
    info_.auth_mechanism = "USER";
}

void client::apop(std::string_view user, std::string_view password, bool allow_cleartext) {
    if (state() != pop3::state::authorization) throw auth_error(errc::invalid_state, "APOP");
    if (apop_timestamp_.empty())
        throw auth_error(errc::no_mechanism, "APOP: the greeting has no timestamp", {}, {}, "APOP");
    // The digest hides the password, but an eavesdropper can still test
    // guesses against it: the same TLS rule as for passwords.
    if (!conn_.is_tls() && !allow_cleartext) throw auth_error(errc::cleartext_refused, "APOP", {}, {}, "APOP");
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    std::string input = apop_timestamp_ + std::string(password);
    if (EVP_Digest(input.data(), input.size(), md, &md_len, EVP_md5(), nullptr) != 1 || md_len != 16)
        throw auth_error(errc::no_mechanism, "APOP: MD5 unavailable", {}, {}, "APOP");
    static constexpr char hex[] = "0123456789abcdef";
    std::string digest;
    for (unsigned i = 0; i < md_len; ++i) {
        digest += hex[md[i] >> 4];
        digest += hex[md[i] & 0xf];
    }
    std::error_code ec;
    auto cmd = encode_apop(user, digest, ec);
    if (!cmd) throw auth_error(errc::invalid_argument, "APOP", {}, {}, "APOP");
    send(cmd, {}, "APOP");
    reply r = read_reply("reading the reply to APOP");
    if (!r.ok) throw auth_error(errc::auth_failed, "APOP: " + core::excerpt(r.line), to_server_reply(r), {}, "APOP");
    after_auth();
    info_.auth_mechanism = "APOP";
}

// ---- the maildrop ----------------------------------------------------------------

maildrop_stat client::stat() {
    require(pop3::state::transaction, "STAT");
    std::error_code ec;
    send(encode_simple("STAT", ec), ec, "STAT");
    reply r = expect_ok("STAT");
    auto s = parse_stat(r.text);
    if (!s) conn_.fail(errc::malformed_reply, "STAT: " + core::excerpt(r.line), to_server_reply(r));
    return *s;
}

void client::read_listing(const char* what, const std::function<void(std::string_view)>& each) {
    const std::size_t max = opts_.limits.max_line;
    core::line_splitter split(
        [&](std::string_view line) {
            if (line.size() > max)
                conn_.fail(errc::line_too_long, std::string(what) + ": a line longer than limits.max_line");
            each(line);
        },
        max);
    read_block([&](std::string_view chunk) { split.feed(chunk); }, 0, std::string("reading ") + what);
    split.finish();
    expect_quiet(what);
}

void client::list(const std::function<void(const message_size&)>& each) {
    require(pop3::state::transaction, "LIST");
    std::error_code ec;
    send(encode_simple("LIST", ec), ec, "LIST");
    expect_ok("LIST", true);
    read_listing("LIST", [&](std::string_view line) {
        auto m = parse_list_line(line);
        if (!m) conn_.fail(errc::malformed_reply, "LIST line: " + core::excerpt(line));
        if (each) each(*m);
    });
}

std::vector<message_size> client::list() {
    std::vector<message_size> out;
    const std::size_t max = opts_.limits.max_listing_entries;
    list([&](const message_size& m) {
        if (out.size() >= max)
            conn_.fail(errc::response_too_large,
                       "LIST: more than " + std::to_string(max) + " entries (limits.max_listing_entries)");
        out.push_back(m);
    });
    return out;
}

message_size client::list(std::uint32_t number) {
    require(pop3::state::transaction, "LIST");
    std::error_code ec;
    send(encode_message("LIST", number, ec), ec, "LIST");
    reply r = expect_ok("LIST " + std::to_string(number));
    auto m = parse_list_line(r.text);
    if (!m || m->number != number) conn_.fail(errc::malformed_reply, "LIST: " + core::excerpt(r.line), to_server_reply(r));
    return *m;
}

void client::uidl(const std::function<void(const message_uid&)>& each) {
    require(pop3::state::transaction, "UIDL");
    std::error_code ec;
    send(encode_simple("UIDL", ec), ec, "UIDL");
    expect_ok("UIDL", true);
    read_listing("UIDL", [&](std::string_view line) {
        auto m = parse_uidl_line(line);
        if (!m) conn_.fail(errc::malformed_reply, "UIDL line: " + core::excerpt(line));
        if (each) each(*m);
    });
}

std::vector<message_uid> client::uidl() {
    std::vector<message_uid> out;
    const std::size_t max = opts_.limits.max_listing_entries;
    uidl([&](const message_uid& m) {
        if (out.size() >= max)
            conn_.fail(errc::response_too_large,
                       "UIDL: more than " + std::to_string(max) + " entries (limits.max_listing_entries)");
        out.push_back(m);
    });
    return out;
}

message_uid client::uidl(std::uint32_t number) {
    require(pop3::state::transaction, "UIDL");
    std::error_code ec;
    send(encode_message("UIDL", number, ec), ec, "UIDL");
    reply r = expect_ok("UIDL " + std::to_string(number));
    auto m = parse_uidl_line(r.text);
    if (!m || m->number != number) conn_.fail(errc::malformed_reply, "UIDL: " + core::excerpt(r.line), to_server_reply(r));
    return *m;
}

std::uint64_t client::fetch(const std::string& command, const net::sink_fn& sink) {
    expect_ok(command, true);
    const std::uint64_t n = read_block(sink, 0, "reading a message");
    expect_quiet(command);
    return n;
}

std::uint64_t client::retrieve(std::uint32_t number, const net::sink_fn& sink) {
    require(pop3::state::transaction, "RETR");
    std::error_code ec;
    send(encode_message("RETR", number, ec), ec, "RETR");
    return fetch("RETR " + std::to_string(number), sink);
}

namespace {

// A sink collecting into out, failing the connection beyond max bytes.
template <class Fail>
net::sink_fn bounded_sink(std::string& out, std::size_t max, Fail fail) {
    return [&out, max, fail](std::string_view chunk) {
        if (chunk.size() > max - std::min(max, out.size())) fail();
        out.append(chunk);
    };
}

} // namespace

std::string client::retrieve(std::uint32_t number) {
    std::string out;
    const std::size_t max = opts_.limits.max_message_in_memory;
    retrieve(number, bounded_sink(out, max, [&] {
                 conn_.fail(errc::response_too_large, "RETR " + std::to_string(number) + ": more than " +
                                                          std::to_string(max) + " bytes (limits.max_message_in_memory)");
             }));
    return out;
}

std::uint64_t client::top(std::uint32_t number, std::uint32_t lines, const net::sink_fn& sink) {
    require(pop3::state::transaction, "TOP");
    std::error_code ec;
    send(encode_top(number, lines, ec), ec, "TOP");
    return fetch("TOP " + std::to_string(number), sink);
}

std::string client::top(std::uint32_t number, std::uint32_t lines) {
    std::string out;
    const std::size_t max = opts_.limits.max_message_in_memory;
    top(number, lines, bounded_sink(out, max, [&] {
            conn_.fail(errc::response_too_large, "TOP " + std::to_string(number) + ": more than " +
                                                     std::to_string(max) + " bytes (limits.max_message_in_memory)");
        }));
    return out;
}

void client::retrieve_each(const std::vector<std::uint32_t>& numbers,
                           const std::function<net::sink_fn(std::uint32_t)>& open,
                           const std::function<void(const retrieve_status&)>& done, bool delete_each) {
    require(pop3::state::transaction, "RETR");
    for (auto n : numbers)
        if (n == 0) throw request_error(errc::invalid_argument, "RETR: message number 0");
    const bool pipelined = session_.caps().pipelining();
    const std::size_t window = pipelined ? std::max<std::size_t>(1, opts_.pipeline_window) : 1;

    // Replies come back in command order (RFC 2449 section 6.6): the queue
    // says what each next reply answers; nothing else is trusted. A reply
    // that does not fit (a -ERR followed by content, content where a status
    // line is due) fails to parse as what it should be: protocol_error.
    struct pending {
        std::size_t index;  // into numbers
        bool dele;
    };
    struct slot {
        retrieve_status status;
        bool complete = false;
    };
    std::deque<pending> in_flight;
    std::deque<std::size_t> deletes;  // retrieved, DELE not yet sent
    std::deque<slot> slots;           // statuses from index `first` on, reported in order
    std::size_t first = 0;
    std::size_t next = 0;  // next number to send RETR for
    std::vector<std::string> batch;

    auto refill = [&] {
        batch.clear();
        // DELEs first: they answer messages already read, and keep the slots short.
        while (in_flight.size() < window && (!deletes.empty() || next < numbers.size())) {
            if (!deletes.empty()) {
                const std::size_t i = deletes.front();
                deletes.pop_front();
                in_flight.push_back({i, true});
                batch.push_back("DELE " + std::to_string(numbers[i]));
            } else {
                in_flight.push_back({next, false});
                slots.push_back({});
                slots.back().status.number = numbers[next];
                batch.push_back("RETR " + std::to_string(numbers[next]));
                ++next;
            }
        }
        if (batch.size() == 1) conn_.write_line(batch.front());
        else if (!batch.empty()) conn_.write_lines(batch);
    };
    auto complete = [&](std::size_t i) {
        slots[i - first].complete = true;
        while (!slots.empty() && slots.front().complete) {
            retrieve_status st = std::move(slots.front().status);
            slots.pop_front();
            ++first;
            if (done) done(st);
        }
    };

    try {
        refill();
        while (!in_flight.empty()) {
            const pending p = in_flight.front();
            in_flight.pop_front();
            retrieve_status& st = slots[p.index - first].status;
            if (p.dele) {
                reply r = read_reply("reading the reply to DELE");
                if (r.ok) {
                    st.deleted = true;
                    st.ok = true;
                } else {
                    st.refusal = to_server_reply(r);
                }
                complete(p.index);
            } else {
                reply r = read_reply("reading the reply to RETR");
                if (!r.ok) {
                    st.refusal = to_server_reply(r);
                    complete(p.index);
                } else {
                    net::sink_fn sink = open ? open(st.number) : net::sink_fn{};
                    st.bytes = read_block(sink, 0, "reading a message");
                    st.retrieved = true;
                    if (delete_each) {
                        deletes.push_back(p.index);
                    } else {
                        st.ok = true;
                        complete(p.index);
                    }
                }
            }
            if (in_flight.size() <= window / 2) refill();
        }
        expect_quiet("RETR");
    } catch (...) {
        // Replies still in flight cannot be skipped safely.
        close();
        throw;
    }
}

void client::mark_deleted(std::uint32_t number) {
    require(pop3::state::transaction, "DELE");
    std::error_code ec;
    send(encode_message("DELE", number, ec), ec, "DELE");
    expect_ok("DELE " + std::to_string(number));
}

void client::reset() {
    require(pop3::state::transaction, "RSET");
    std::error_code ec;
    send(encode_simple("RSET", ec), ec, "RSET");
    expect_ok("RSET");
}

void client::noop() {
    require(pop3::state::transaction, "NOOP");
    std::error_code ec;
    send(encode_simple("NOOP", ec), ec, "NOOP");
    expect_ok("NOOP");
}

void client::quit() {
    if (!conn_.is_open()) return;
    std::error_code ec;
    send(encode_simple("QUIT", ec), ec, "QUIT");
    if (session_.current() == pop3::state::transaction) session_.on_quit();
    reply r = read_reply("reading the reply to QUIT");
    close();
    if (!r.ok) throw command_error(errc::command_failed, "QUIT: " + core::excerpt(r.line), to_server_reply(r));
}

// ---- plumbing --------------------------------------------------------------------

void client::require(pop3::state s, const char* what) const {
    if (!conn_.is_open()) throw request_error(errc::invalid_state, std::string(what) + ": not connected");
    if (session_.current() != s)
        throw request_error(errc::invalid_state, std::string(what) + (s == pop3::state::transaction
                                                                           ? ": not authenticated"
                                                                           : ": already authenticated"));
}

reply client::read_reply(std::string_view context) {
    std::string_view line = conn_.read_line(opts_.limits.max_line, context);
    auto r = parse_reply(line);
    if (!r) conn_.fail(errc::malformed_reply, std::string(context) + ": " + core::excerpt(line));
    return std::move(*r);
}

reply client::expect_ok(const std::string& what, bool block_follows) {
    reply r = read_reply("reading the reply to " + what);
    if (!r.ok || !block_follows) expect_quiet(what);
    if (!r.ok) throw command_error(errc::command_failed, what + ": " + core::excerpt(r.line), to_server_reply(r));
    return r;
}

void client::expect_quiet(std::string_view what) {
    const std::size_t n = conn_.is_open() ? conn_.channel().buffered() : 0;
    if (n > 0)
        conn_.fail(errc::unexpected_reply,
                   std::string(what) + ": the server sent " + std::to_string(n) + " bytes beyond its reply, unasked");
}

void client::send(const std::optional<command_line>& cmd, std::error_code ec, const char* what) {
    conn_.send(cmd, ec, what);
}

std::uint64_t client::read_block(const net::sink_fn& sink, std::size_t max, std::string_view context) {
    return conn_.read_dot_block(sink, max, context);  // closes when stopped half way
}

} // namespace pigeon::pop3
