// The reply after the end of the data may take minutes (RFC 5321
// 4.5.3.2.6): client_options::data_reply_timeout, not the operation timeout,
// bounds that one wait, after "." and after BDAT LAST.
#include <doctest/doctest.h>

#include <chrono>
#include <ostream>
#include <string>

#include "pigeon/net/error.hpp"
#include "pigeon/smtp/client.hpp"
#include "support/script_client.hpp"
#include "support/script_server.hpp"

using namespace pigeon;
using namespace pigeon::smtp;
using namespace std::chrono_literals;

namespace {

const char* const data_script = R"(
S: 220 fake ESMTP
C: EHLO localhost
S: 250 fake
C: MAIL FROM:<alice@lab.test>
S: 250 ok
C: RCPT TO:<bob@lab.test>
S: 250 ok
C: DATA
S: 354 go
C: Subject: slow
C:
C: body
C: .
SLEEP 1500
S: 250 2.0.0 queued after a long scan
C: QUIT
S: 221 bye
)";

const char* const bdat_script = R"(
S: 220 fake ESMTP
C: EHLO localhost
S: 250-fake
S: 250 CHUNKING
C: MAIL FROM:<alice@lab.test>
S: 250 ok
C: RCPT TO:<bob@lab.test>
S: 250 ok
C: BDAT 23 LAST
C: Subject: slow
C:
C: body
SLEEP 1500
S: 250 2.0.0 queued after a long scan
C: QUIT
S: 221 bye
)";

client_options options(test::script_server& srv, std::chrono::milliseconds data_reply) {
    client_options o;
    o.net = test::script_session_options(srv);
    o.net.connect.io_timeout = 500ms;  // every other reply: 500 ms
    o.data_reply_timeout = data_reply;
    return o;
}

envelope env() {
    envelope e;
    e.from = "alice@lab.test";
    recipient r;
    r.address = "bob@lab.test";
    e.recipients.push_back(r);
    return e;
}

} // namespace

TEST_CASE("data reply timeout: a reply 1.5 s after the end of data is awaited (DATA and BDAT)") {
    for (const char* script : {data_script, bdat_script}) {
        test::script_server srv(script);
        client c;
        c.connect(test::script_endpoint(srv, net::protocol::smtp, net::tls_mode::none), options(srv, 3s));
        CHECK(c.channel().timeouts().operation == 500ms);
        auto r = c.send(env(), "Subject: slow\r\n\r\nbody\r\n");
        CHECK(r.all_accepted());
        CHECK(r.final_reply.code == 250);
        c.quit();
        test::check_script(srv);
    }
}

TEST_CASE("data reply timeout: a shorter data_reply_timeout gives up") {
    test::script_server srv(data_script);
    client c;
    c.connect(test::script_endpoint(srv, net::protocol::smtp, net::tls_mode::none), options(srv, 300ms));
    const auto t0 = std::chrono::steady_clock::now();
    auto ec = test::code_of([&] { (void)c.send(env(), "Subject: slow\r\n\r\nbody\r\n"); });
    CHECK(ec == net::errc::timeout);
    CHECK(std::chrono::steady_clock::now() - t0 < 1200ms);
    CHECK_FALSE(c.is_connected());
}
