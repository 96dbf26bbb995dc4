#pragma once
// Pointing a protocol client at a script_server (fake tests): its endpoint on
// 127.0.0.1, connection options that trust its certificate, the user the
// transcripts expect, and the check that it played its transcript to the end.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <system_error>
#include <utility>

#include "pigeon/net/connect.hpp"
#include "pigeon/net/endpoint.hpp"
#include "pigeon/sasl/mechanism.hpp"
#include "support/connected.hpp"
#include "support/code_of.hpp"
#include "support/script_server.hpp"

namespace pigeon::test {

inline net::endpoint script_endpoint(const script_server& srv, net::protocol proto, net::tls_mode mode) {
    net::endpoint e;
    e.proto = proto;
    e.host = "127.0.0.1";
    e.port = srv.port();
    e.tls = mode;
    return e;
}

/// Trusts srv's certificate (written to a file that lives as long as srv),
/// checks it as "localhost", and gives up after 5 s of silence.
inline net::session_options script_session_options(const script_server& srv) {
    net::session_options o;
    o.tls.ca_file = srv.write_ca_file();
    o.tls.server_name = "localhost";
    o.connect.connect_timeout = std::chrono::seconds(5);
    o.connect.io_timeout = std::chrono::seconds(5);
    return o;
}

/// Waits for srv to finish and checks it played its whole transcript.
inline void check_script(script_server& srv) {
    auto r = srv.wait();
    CHECK_MESSAGE(r.ok, r.error);
}

/// The user of the transcripts in tests/scripts/ (named after the lab's).
inline sasl::credentials alice(std::string password = "alice-pass-1") {
    sasl::credentials c;
    c.username = "alice@lab.test";
    c.password = std::move(password);
    return c;
}

/// Plays script and connects a Client to it (make_options(srv) gives its
/// options): connecting must fail with code, after the whole transcript.
template <class Client, class MakeOptions>
void expect_connect_refused(const std::string& script, net::protocol proto, net::tls_mode mode,
                            MakeOptions&& make_options, std::error_code code) {
    auto srv = script_server::from_file(script);
    auto ec = code_of([&] { test::connected<Client>(script_endpoint(srv, proto, mode), make_options(srv)); });
    CHECK(ec == code);
    check_script(srv);
}

} // namespace pigeon::test
