// SCRAM-SHA-1 (RFC 5802 section 5) and SCRAM-SHA-256 (RFC 7677 section 3)
// example exchanges, and the ways a server can get them wrong.
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <ostream>  // lets doctest print std::error_code
#include <string>
#include <system_error>

#include "pigeon/sasl/error.hpp"
#include "pigeon/sasl/mechanism.hpp"
#include "pigeon/sasl/scram.hpp"

using pigeon::sasl::credentials;
using pigeon::sasl::errc;
using pigeon::sasl::make_scram;
using pigeon::sasl::mechanism_limits;
using pigeon::sasl::scram_hash;
using pigeon::sasl::scram_options;

namespace {

struct vector_t {
    scram_hash hash;
    const char* nonce;
    const char* client_first;
    const char* server_first;
    const char* client_final;
    const char* server_final;
};

// RFC 5802 section 5: user "user", password "pencil".
const vector_t rfc5802 = {
    scram_hash::sha1,
    "fyko+d2lbbFgONRv9qkxdawL",
    "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
    "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
    "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
    "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
};

// RFC 7677 section 3: user "user", password "pencil".
const vector_t rfc7677 = {
    scram_hash::sha256,
    "rOprNGfwEbeRWgbNEkqO",
    "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
    "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
};

credentials user_pencil() {
    credentials c;
    c.username = "user";
    c.password = "pencil";
    return c;
}

std::unique_ptr<pigeon::sasl::mechanism> scram_with_nonce(const vector_t& v, const credentials& c = user_pencil(),
                                                          const mechanism_limits& limits = {}) {
    scram_options o;
    o.client_nonce = v.nonce;
    return make_scram(v.hash, c, limits, o);
}

} // namespace

TEST_CASE("SCRAM: the RFC example exchanges, with server signature verification") {
    for (const vector_t* v : {&rfc5802, &rfc7677}) {
        CAPTURE(v->client_first);
        auto m = scram_with_nonce(*v);
        CHECK(m->name() == (v->hash == scram_hash::sha1 ? "SCRAM-SHA-1" : "SCRAM-SHA-256"));
        std::error_code ec;
        const auto first = m->initial_response(ec);
        REQUIRE_FALSE(ec);
        REQUIRE(first);
        CHECK(*first == v->client_first);
        CHECK_FALSE(m->server_verified());

        CHECK(m->respond(v->server_first, ec) == v->client_final);
        REQUIRE_FALSE(ec);
        CHECK_FALSE(m->server_verified());

        SUBCASE("server-final as a challenge") {
            CHECK(m->respond(v->server_final, ec).empty());
            CHECK_FALSE(ec);
            CHECK(m->server_verified());
            // Nothing more is expected.
            CHECK(m->respond("v=x", ec).empty());
            CHECK(ec == errc::bad_challenge);
        }
        SUBCASE("server-final with the success reply") {
            m->on_success_data(v->server_final, ec);
            CHECK_FALSE(ec);
            CHECK(m->server_verified());
        }
    }
}

TEST_CASE("SCRAM: a wrong server signature fails") {
    auto m = scram_with_nonce(rfc7677);
    std::error_code ec;
    REQUIRE(m->initial_response(ec));
    REQUIRE_FALSE(m->respond(rfc7677.server_first, ec).empty());
    SUBCASE("as a challenge") {
        // One character of the right signature changed (...95G4= -> ...96G4=).
        m->respond("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl96G4=", ec);
        CHECK(ec == errc::bad_server_signature);
        CHECK_FALSE(m->server_verified());
    }
    SUBCASE("with the success reply") {
        m->on_success_data(rfc5802.server_final, ec);
        CHECK(ec == errc::bad_server_signature);
        CHECK_FALSE(m->server_verified());
    }
    SUBCASE("not base64, or not canonical base64") {
        m->respond("v=not*base64", ec);
        CHECK(ec == errc::bad_server_signature);
    }
    SUBCASE("non-zero padding bits") {
        m->respond("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G5=", ec);
        CHECK(ec == errc::bad_server_signature);
    }
    SUBCASE("missing") {
        m->respond("x=unknown", ec);
        CHECK(ec == errc::bad_server_signature);
    }
}

TEST_CASE("SCRAM: success data before the server-first proves nothing") {
    auto m = scram_with_nonce(rfc5802);
    std::error_code ec;
    REQUIRE(m->initial_response(ec));
    m->on_success_data(rfc5802.server_final, ec);
    CHECK(ec == errc::bad_server_signature);
    CHECK_FALSE(m->server_verified());
}

TEST_CASE("SCRAM: the server nonce must extend ours") {
    std::error_code ec;
    for (const char* server_first : {
             "r=AAAAd2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",  // other nonce
             "r=fyko+d2lbbFgONRv9qkxdawL,s=QSXCR+Q6sek8bf92,i=4096",                 // nothing added
             "r=fyko+d2lbb,s=QSXCR+Q6sek8bf92,i=4096",                                // a prefix of ours
             "r=fyko+d2lbbFgONRv9qkxdawL\x7f,s=QSXCR+Q6sek8bf92,i=4096",             // not printable
         }) {
        CAPTURE(server_first);
        auto m = scram_with_nonce(rfc5802);
        REQUIRE(m->initial_response(ec));
        CHECK(m->respond(server_first, ec).empty());
        CHECK(ec == errc::bad_server_nonce);
        CHECK_FALSE(m->server_verified());
    }
}

TEST_CASE("SCRAM: iteration count limits fail fast") {
    std::error_code ec;
    const auto t0 = std::chrono::steady_clock::now();
    for (const char* count : {"2000000000", "100001", "99999999999999999999999999999999", "0"}) {
        CAPTURE(count);
        auto m = scram_with_nonce(rfc5802);
        REQUIRE(m->initial_response(ec));
        const std::string server_first =
            std::string("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=") + count;
        CHECK(m->respond(server_first, ec).empty());
        CHECK(ec == errc::iteration_count);
    }
    const auto elapsed = std::chrono::steady_clock::now() - t0;
    CHECK(elapsed < std::chrono::seconds(1));

    SUBCASE("a minimum can be required") {
        mechanism_limits limits;
        limits.scram_min_iterations = 8192;
        auto m = scram_with_nonce(rfc5802, user_pencil(), limits);
        REQUIRE(m->initial_response(ec));
        CHECK(m->respond(rfc5802.server_first, ec).empty());
        CHECK(ec == errc::iteration_count);
    }
    SUBCASE("a lower maximum is honoured") {
        mechanism_limits limits;
        limits.scram_max_iterations = 4095;
        auto m = scram_with_nonce(rfc5802, user_pencil(), limits);
        REQUIRE(m->initial_response(ec));
        CHECK(m->respond(rfc5802.server_first, ec).empty());
        CHECK(ec == errc::iteration_count);
    }
}

TEST_CASE("SCRAM: iteration counts below 4096 are refused by default (RFC 7677 5)") {
    CHECK(mechanism_limits{}.scram_min_iterations == 4096);
    for (auto hash : {scram_hash::sha1, scram_hash::sha256}) {
        CAPTURE(static_cast<int>(hash));
        for (const char* count : {"1", "2", "4095"}) {
            CAPTURE(count);
            std::error_code ec;
            scram_options o;
            o.client_nonce = "fyko+d2lbbFgONRv9qkxdawL";
            auto m = make_scram(hash, user_pencil(), {}, o);
            REQUIRE(m->initial_response(ec));
            const std::string server_first =
                std::string("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=") + count;
            CHECK(m->respond(server_first, ec).empty());
            CHECK(ec == errc::iteration_count);
            CHECK_FALSE(m->server_verified());
        }
    }
    // 4096 is accepted: the RFC 5802 example exchange runs to its end.
    std::error_code ec;
    auto m = scram_with_nonce(rfc5802);
    REQUIRE(m->initial_response(ec));
    CHECK(m->respond(rfc5802.server_first, ec) == rfc5802.client_final);
    CHECK_FALSE(ec);
    // A caller that must talk to an old server may lower the floor explicitly.
    mechanism_limits low;
    low.scram_min_iterations = 1;
    scram_options o;
    o.client_nonce = "fyko+d2lbbFgONRv9qkxdawL";
    auto weak = make_scram(scram_hash::sha1, user_pencil(), low, o);
    REQUIRE(weak->initial_response(ec));
    CHECK_FALSE(weak->respond("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=1", ec).empty());
    CHECK_FALSE(ec);
}

TEST_CASE("SCRAM: malformed server-first messages") {
    std::error_code ec;
    for (const char* server_first : {
             "", "garbage", "r=fyko+d2lbbFgONRv9qkxdawL3rfc,i=4096",                  // no salt
             "r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf92",                         // no count
             "r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf92,i=4x96",                  // count not a number
             "r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf9,i=4096",                   // salt not base64
             "r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=,i=4096",                                  // empty salt
             "m=ext,r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf92,i=4096",            // mandatory ext
             "s=QSXCR+Q6sek8bf92,r=fyko+d2lbbFgONRv9qkxdawL3rfc,i=4096",                  // wrong order
             "r=fyko+d2lbbFgONRv9qkxdawL3rfc,,s=QSXCR+Q6sek8bf92,i=4096",                 // empty attribute
         }) {
        CAPTURE(server_first);
        auto m = scram_with_nonce(rfc5802);
        REQUIRE(m->initial_response(ec));
        CHECK(m->respond(server_first, ec).empty());
        CHECK(ec == errc::bad_challenge);
    }
    SUBCASE("extensions after the count are allowed") {
        auto m = scram_with_nonce(rfc5802);
        REQUIRE(m->initial_response(ec));
        CHECK_FALSE(m->respond(std::string(rfc5802.server_first) + ",x=ext", ec).empty());
        CHECK_FALSE(ec);
    }
}

TEST_CASE("SCRAM: server errors (e=) end the exchange as a rejection") {
    std::error_code ec;
    auto m = scram_with_nonce(rfc7677);
    REQUIRE(m->initial_response(ec));
    SUBCASE("in the server-final") {
        REQUIRE_FALSE(m->respond(rfc7677.server_first, ec).empty());
        CHECK(m->respond("e=invalid-proof", ec).empty());
        CHECK(ec == errc::rejected);
    }
    SUBCASE("instead of the server-first") {
        CHECK(m->respond("e=unknown-user", ec).empty());
        CHECK(ec == errc::rejected);
    }
    CHECK_FALSE(m->server_verified());
}

TEST_CASE("SCRAM: username escaping, authzid and SASLprep of the password") {
    std::error_code ec;
    credentials c;
    c.username = "a,b=c";
    c.password = "pencil";
    c.authzid = "admin=1";
    scram_options o;
    o.client_nonce = "abc";
    auto m = make_scram(scram_hash::sha256, c, {}, o);
    const auto first = m->initial_response(ec);
    REQUIRE(first);
    CHECK(*first == "n,a=admin=3D1,n=a=2Cb=3Dc,r=abc");

    // "pen\u00ADcil" (SOFT HYPHEN) prepares to "pencil": the RFC 7677 proof.
    credentials hyphen = user_pencil();
    hyphen.password = "pen\xC2\xAD" "cil";
    auto h = scram_with_nonce(rfc7677, hyphen);
    REQUIRE(h->initial_response(ec));
    CHECK(h->respond(rfc7677.server_first, ec) == rfc7677.client_final);

    credentials bad = user_pencil();
    bad.password = "pen\x07";
    CHECK_FALSE(scram_with_nonce(rfc7677, bad)->initial_response(ec));
    CHECK(ec == errc::saslprep_failed);

    credentials none = user_pencil();
    none.password.clear();
    CHECK_FALSE(scram_with_nonce(rfc7677, none)->initial_response(ec));
    CHECK(ec == errc::missing_credentials);
}

TEST_CASE("SCRAM: random client nonces") {
    std::error_code ec;
    const auto a = make_scram(scram_hash::sha256, user_pencil())->initial_response(ec);
    const auto b = make_scram(scram_hash::sha256, user_pencil())->initial_response(ec);
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->rfind("n,,n=user,r=", 0) == 0);
    CHECK(a->size() == std::string("n,,n=user,r=").size() + 24);
    CHECK(*a != *b);
    CHECK(a->find(',', 12) == std::string::npos);
}
