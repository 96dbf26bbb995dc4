// The SMTP client against the lab's real Postfix (and Dovecot's LMTP): the
// message must arrive in the Maildir with exactly the intended bytes.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>
#include <random>
#include <sstream>
#include <thread>

#include "pigeon/net/endpoint.hpp"
#include "pigeon/net/error.hpp"
#include "pigeon/smtp/client.hpp"
#include "support/lab.hpp"
#include "support/lab_options.hpp"

using namespace pigeon;
using namespace pigeon::smtp;
namespace lab = pigeon::test::lab;
namespace fs = std::filesystem;

namespace {

std::string unique_token() {
    static std::mt19937_64 rng{std::random_device{}()};
    return "pigeon-smtp-it-" + std::to_string(rng());
}

net::endpoint endpoint(std::uint16_t port, net::tls_mode mode) {
    net::endpoint ep;
    ep.proto = net::protocol::smtp;
    ep.host = std::string(lab::host);
    ep.port = port;
    ep.tls = mode;
    return ep;
}

client_options options() {
    client_options o;
    o.net.tls.ca_file = lab::ca_file();
    o.net.tls.ca_file_only = true;
    o.net.tls.server_name = std::string(lab::tls_name);
    o.net.connect.connect_timeout = std::chrono::seconds(10);
    o.net.connect.io_timeout = std::chrono::seconds(30);
    return o;
}

using lab::creds;

envelope make_envelope(std::vector<std::string_view> to, std::string_view from = lab::alice.name) {
    envelope env;
    env.from = std::string(from);
    for (auto t : to) env.recipients.push_back({std::string(t), notify::none, {}});
    return env;
}

std::string message(const std::string& token, std::string_view body = "Hello from pigeon.\r\n") {
    return "From: alice@lab.test\r\nTo: alice@lab.test\r\nSubject: " + token + "\r\nMessage-ID: <" + token +
           "@lab.test>\r\n\r\n" + std::string(body);
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// The delivered files holding token in user's Maildir (new/ and cur/),
/// polling until at least `want` are there or about 10 s passed.
std::vector<std::string> wait_for(std::string_view user, const std::string& token, std::size_t want = 1) {
    const fs::path md = lab::maildir(user);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::vector<std::string> found;
    for (;;) {
        found.clear();
        for (const char* sub : {"new", "cur"}) {
            std::error_code ec;
            for (const auto& e : fs::directory_iterator(md / sub, ec)) {
                std::string content = read_file(e.path());
                if (content.find(token) != std::string::npos) found.push_back(std::move(content));
            }
        }
        if (found.size() >= want || std::chrono::steady_clock::now() > deadline) return found;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

/// The body of a stored message (after the first empty line), in the line
/// ends the store uses.
std::string body_of(const std::string& stored) {
    auto p = stored.find("\r\n\r\n");
    if (p != std::string::npos) return stored.substr(p + 4);
    p = stored.find("\n\n");
    return p == std::string::npos ? std::string{} : stored.substr(p + 2);
}

std::string crlf_to_lf(std::string s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') continue;
        out += s[i];
    }
    return out;
}

} // namespace

TEST_CASE("submission port 10587: STARTTLS / AUTH / delivered to alice") {
    client c;
    c.connect(endpoint(lab::submission_port, net::tls_mode::starttls), options());
    CHECK(c.info().tls_active);
    CHECK(c.info().starttls_used);
    CHECK_FALSE(c.info().capabilities_before_tls.empty());
    CHECK_FALSE(c.info().capabilities_after_tls.empty());
    CHECK_FALSE(c.capabilities().auth_mechanisms.empty());
    c.authenticate(creds(lab::alice));
    MESSAGE("mechanism chosen: " << c.info().auth_mechanism);
    CHECK(c.info().auth_mechanism != "LOGIN");
    const auto token = unique_token();
    const auto msg = message(token);
    auto env = make_envelope({lab::alice.name});
    env.size_hint = msg.size();
    const auto res = c.send(env, msg);
    CHECK(res.all_accepted());
    CHECK(res.final_reply.code == 250);
    CHECK(res.final_reply.text().find("queued as") != std::string::npos);
    c.quit();
    const auto got = wait_for(lab::alice.name, token);
    REQUIRE(got.size() == 1);
    CHECK(crlf_to_lf(body_of(got[0])) == "Hello from pigeon.\n");
}

TEST_CASE("submission port 10587 with a non-ASCII password (carol / SASLprep)") {
    client c;
    c.connect(endpoint(lab::submission_port, net::tls_mode::starttls), options());
    c.authenticate(creds(lab::carol));
    const auto token = unique_token();
    CHECK(c.send(make_envelope({lab::carol.name}, lab::carol.name), message(token)).all_accepted());
    c.quit();
    CHECK(wait_for(lab::carol.name, token).size() == 1);
}

TEST_CASE("implicit TLS port 10465: AUTH / delivered") {
    client c;
    c.connect(endpoint(lab::submissions_port, net::tls_mode::implicit), options());
    CHECK(c.info().tls_active);
    CHECK(c.info().capabilities_before_tls.empty());
    REQUIRE(c.channel().tls() != nullptr);
    CHECK(c.channel().tls()->verified);
    c.authenticate(creds(lab::bob));
    const auto token = unique_token();
    CHECK(c.send(make_envelope({lab::alice.name}, lab::bob.name), message(token)).all_accepted());
    c.quit();
    CHECK(wait_for(lab::alice.name, token).size() == 1);
}

TEST_CASE("plain port 10025 without TLS (tls_mode::none) / no AUTH") {
    client c;
    c.connect(endpoint(lab::smtp_port, net::tls_mode::none), options());
    CHECK_FALSE(c.info().tls_active);
    CHECK(c.capabilities().starttls);  // offered, deliberately not used
    const auto token = unique_token();
    CHECK(c.send(make_envelope({lab::alice.name}), message(token)).all_accepted());
    c.quit();
    CHECK(wait_for(lab::alice.name, token).size() == 1);
}

TEST_CASE("one refused recipient among three: the two others receive it") {
    client c;
    c.connect(endpoint(lab::submission_port, net::tls_mode::starttls), options());
    c.authenticate(creds(lab::alice));
    const auto token = unique_token();
    const auto res = c.send(make_envelope({lab::alice.name, lab::unknown_address, lab::bob.name}), message(token));
    REQUIRE(res.recipients.size() == 3);
    CHECK(res.recipients[0].accepted());
    CHECK(res.recipients[2].accepted());
    CHECK_FALSE(res.recipients[1].accepted());
    CHECK(res.recipients[1].rcpt_reply.code == 550);
    REQUIRE(res.recipients[1].rcpt_reply.status.has_value());
    CHECK(res.recipients[1].rcpt_reply.status->to_string() == "5.1.1");
    CHECK(res.accepted_count() == 2);
    c.quit();
    CHECK(wait_for(lab::alice.name, token).size() == 1);
    CHECK(wait_for(lab::bob.name, token).size() == 1);
}

TEST_CASE("every recipient refused: send_error / the connection still usable") {
    client c;
    c.connect(endpoint(lab::smtp_port, net::tls_mode::none), options());
    try {
        (void)c.send(make_envelope({lab::unknown_address}), message(unique_token()));
        FAIL("send() succeeded");
    } catch (const send_error& e) {
        CHECK(e.code() == errc::recipients_refused);
        CHECK(e.is_permanent());
    }
    const auto token = unique_token();
    CHECK(c.send(make_envelope({lab::alice.name}), message(token)).all_accepted());  // after RSET
    c.quit();
    CHECK(wait_for(lab::alice.name, token).size() == 1);
}

TEST_CASE("a wrong password gives auth_error (535 / permanent)") {
    client c;
    c.connect(endpoint(lab::submission_port, net::tls_mode::starttls), options());
    try {
        c.authenticate(creds(lab::alice, "not-the-password"));
        FAIL("authenticate() succeeded");
    } catch (const auth_error& e) {
        CHECK(e.code() == errc::auth_failed);
        CHECK(e.server_reply().code == 535);
        CHECK(e.is_permanent());
        CHECK(std::string(e.what()).find("not-the-password") == std::string::npos);
    }
    c.quit();
}

TEST_CASE("bare LF / bare CR / \\n.\\n and \\r\\n.\\r\\n arrive exactly as meant (DATA and BDAT)") {
    const std::string body =
        "line one\nbare LF above\rbare CR above\n.\nsingle dot above (LF)\r\n.\r\nsingle dot above (CRLF)\r\n"
        "..two dots\r\n.leading dot\nMAIL FROM:<x@evil>\r\n.\r\nlast line without end";
    const std::string expected_crlf =
        "line one\r\nbare LF above\r\nbare CR above\r\n.\r\nsingle dot above (LF)\r\n.\r\nsingle dot above (CRLF)\r\n"
        "..two dots\r\n.leading dot\r\nMAIL FROM:<x@evil>\r\n.\r\nlast line without end\r\n";
    for (const bool prefer_data : {false, true}) {
        CAPTURE(prefer_data);
        client c;
        auto o = options();
        o.prefer_data = prefer_data;
        c.connect(endpoint(lab::smtp_port, net::tls_mode::none), o);
        REQUIRE(c.capabilities().chunking);
        const auto token = unique_token();
        const auto res = c.send(make_envelope({lab::alice.name}), message(token, body));
        CHECK(res.chunked == !prefer_data);
        c.quit();
        const auto got = wait_for(lab::alice.name, token);
        REQUIRE(got.size() == 1);
        const std::string stored = body_of(got[0]);
        if (stored.find("\r\n") != std::string::npos) CHECK(stored == expected_crlf);
        else CHECK(stored == crlf_to_lf(expected_crlf));
        CHECK(stored.find("last line without end") != std::string::npos);  // no early end of data
    }
}

TEST_CASE("a streamed 3 MB message with many dots arrives whole") {
    // Built on the fly by the source: never held whole by the client.
    const auto token = unique_token();
    const std::string head = message(token, "");
    const std::size_t lines = 40000;
    const std::string line = ".dotted line of seventy-something characters, to be stuffed on the wire....\n";
    std::size_t produced = 0, line_no = 0, head_pos = 0, line_pos = 0;
    net::source_fn src = [&](char* buf, std::size_t cap) -> std::size_t {
        std::size_t n = 0;
        while (n < cap) {
            if (head_pos < head.size()) {
                const std::size_t k = std::min(cap - n, head.size() - head_pos);
                head.copy(buf + n, k, head_pos);
                head_pos += k;
                n += k;
            } else if (line_no < lines) {
                const std::size_t k = std::min(cap - n, line.size() - line_pos);
                line.copy(buf + n, k, line_pos);
                line_pos += k;
                n += k;
                if (line_pos == line.size()) {
                    line_pos = 0;
                    ++line_no;
                }
            } else {
                break;
            }
        }
        produced += n;
        return n;
    };
    client c;
    c.connect(endpoint(lab::smtp_port, net::tls_mode::none), options());
    const auto res = c.send(make_envelope({lab::alice.name}), src);
    CHECK(res.message_bytes == head.size() + lines * line.size());
    c.quit();
    const auto got = wait_for(lab::alice.name, token);
    REQUIRE(got.size() == 1);
    const std::string stored = crlf_to_lf(body_of(got[0]));
    CHECK(stored.size() == lines * line.size());
    CHECK(stored.substr(0, line.size()) == line);
}

TEST_CASE("many messages over one connection") {
    client c;
    c.connect(endpoint(lab::smtp_port, net::tls_mode::none), options());
    const auto token = unique_token();
    for (int i = 0; i < 20; ++i) {
        const auto res = c.send(make_envelope({lab::bob.name}), message(token + "-" + std::to_string(i)));
        CHECK(res.all_accepted());
    }
    c.quit();
    CHECK(wait_for(lab::bob.name, token, 20).size() == 20);
}

TEST_CASE("SIZE over the server's limit is refused locally - DSN parameters are accepted") {
    client c;
    c.connect(endpoint(lab::smtp_port, net::tls_mode::none), options());
    CHECK(c.capabilities().size_limit == lab::smtp_size_limit);
    auto env = make_envelope({lab::alice.name});
    env.size_hint = lab::smtp_size_limit + 1;
    try {
        (void)c.send(env, "x");
        FAIL("send() accepted a message over SIZE");
    } catch (const request_error& e) {
        CHECK(e.code() == errc::message_too_big);
    }
    REQUIRE(c.capabilities().dsn);
    const auto token = unique_token();
    env = make_envelope({lab::alice.name});
    env.ret = dsn_ret::headers;
    env.envid = token;
    env.recipients[0].notify_on = notify::never;
    env.recipients[0].orcpt = std::string(lab::alice.name);
    CHECK(c.send(env, message(token)).all_accepted());
    c.quit();
    CHECK(wait_for(lab::alice.name, token).size() == 1);
}

TEST_CASE("LMTP straight into Dovecot: one reply per recipient") {
    net::endpoint ep;
    ep.proto = net::protocol::lmtp;
    ep.unix_path = lab::lmtp_socket();
    ep.tls = net::tls_mode::none;
    client c;
    c.connect(ep, options());
    CHECK(c.info().lmtp);
    const auto token = unique_token();
    const auto res = c.send(make_envelope({lab::alice.name, lab::unknown_address, lab::bob.name}), message(token));
    REQUIRE(res.recipients.size() == 3);
    CHECK(res.recipients[0].accepted());
    CHECK(res.recipients[0].data_reply.has_value());
    CHECK_FALSE(res.recipients[1].accepted());
    CHECK(res.recipients[2].accepted());
    CHECK(res.recipients[2].data_reply.has_value());
    c.quit();
    CHECK(wait_for(lab::alice.name, token).size() == 1);
    CHECK(wait_for(lab::bob.name, token).size() == 1);
}
