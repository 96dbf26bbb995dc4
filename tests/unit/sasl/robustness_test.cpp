// Hostile input: every mechanism fed arbitrary challenges through the
// exchange must end (ok or error) without crashing or looping.
#include <doctest/doctest.h>

#include <cstdint>
#include <ostream>  // lets doctest print std::error_code
#include <string>

#include "fake_binding.hpp"
#include "pigeon/sasl/error.hpp"
#include "pigeon/sasl/exchange.hpp"
#include "pigeon/sasl/mechanism.hpp"
#include "pigeon/sasl/select.hpp"

using pigeon::sasl::credentials;
using sasl_test::b64;
using sasl_test::fake_binding;

namespace {

// xorshift64: deterministic, so a failure is reproducible.
struct prng {
    std::uint64_t s;
    std::uint64_t next() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
    std::string bytes(std::size_t max) {
        std::string out(next() % (max + 1), '\0');
        for (char& c : out) c = static_cast<char>(next() & 0xff);
        return out;
    }
};

// Fragments that steer the SCRAM parser deep into its states.
const char* const fragments[] = {"r=", "s=", "i=", "v=", "e=", "m=", ",", "=", "4096", "QSXCR+Q6sek8bf92",
                                 "\x01", "{}", "=2C", "n,,"};

} // namespace

TEST_CASE("every mechanism survives arbitrary challenges") {
    credentials c;
    c.username = "user";
    c.password = "pencil";
    c.oauth_token = "token";
    c.host = "example.org";
    c.port = 993;
    prng rng{0x9E3779B97F4A7C15ull};
    for (const std::string& name : pigeon::sasl::known_mechanisms()) {
        for (int round = 0; round < 300; ++round) {
            CAPTURE(name);
            CAPTURE(round);
            fake_binding b;
            b.start_line_room = (round % 3 == 0) ? 0 : std::string::npos;
            const int challenges = static_cast<int>(rng.next() % 5);
            for (int i = 0; i < challenges; ++i) {
                std::string payload;
                if (rng.next() % 2 == 0) {
                    // Well-formed base64 of mixed fragments and noise.
                    std::string raw;
                    const int parts = static_cast<int>(rng.next() % 6);
                    for (int p = 0; p < parts; ++p) {
                        raw += fragments[rng.next() % (sizeof fragments / sizeof fragments[0])];
                        raw += rng.bytes(8);
                    }
                    payload = b64(raw);
                } else {
                    payload = rng.bytes(24);
                }
                b.challenge(payload);
            }
            if (rng.next() % 2 == 0)
                b.success(rng.next() % 2 == 0 ? b64(rng.bytes(40)) : std::string());
            else
                b.failure();
            b.failure();  // answers a possible cancel
            b.failure();
            auto m = pigeon::sasl::make_mechanism(name, c);
            REQUIRE(m != nullptr);
            const auto r = pigeon::sasl::exchange(*m, b);
            // A random server never authenticates a SCRAM client.
            if (name.rfind("SCRAM", 0) == 0) CHECK_FALSE(r.ok);
            CHECK(r.ok == !r.error);
            CHECK(b.responses.size() <= 6);
        }
    }
}
