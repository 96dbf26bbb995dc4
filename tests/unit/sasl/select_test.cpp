// rank() / choose(): strongest first, never a reusable secret without TLS.
#include <doctest/doctest.h>

#include <ostream>  // lets doctest print std::error_code
#include <string>
#include <vector>

#include "pigeon/sasl/select.hpp"

using pigeon::sasl::choose;
using pigeon::sasl::credentials;
using pigeon::sasl::known_mechanisms;
using pigeon::sasl::rank;
using pigeon::sasl::selection_options;
using list = std::vector<std::string>;

namespace {

credentials password() {
    credentials c;
    c.username = "u";
    c.password = "p";
    return c;
}

credentials token() {
    credentials c;
    c.username = "u";
    c.oauth_token = "t";
    return c;
}

} // namespace

TEST_CASE("known_mechanisms is the ranking order") {
    CHECK(known_mechanisms() == list{"SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "PLAIN", "LOGIN", "OAUTHBEARER",
                                     "XOAUTH2", "EXTERNAL"});
}

TEST_CASE("strongest first, whatever order the server lists") {
    const list offer{"PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256"};
    CHECK(rank(offer, password(), true) == list{"SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "PLAIN", "LOGIN"});
    CHECK(choose(offer, password(), true) == "SCRAM-SHA-256");
    CHECK(choose({"LOGIN", "PLAIN"}, password(), true) == "PLAIN");
}

TEST_CASE("case-insensitive, unknown names ignored, duplicates once") {
    const list offer{"gssapi", "plain", "Scram-Sha-1", "DIGEST-MD5", "NTLM", "SCRAM-SHA-1", "SCRAM-SHA-256-PLUS"};
    CHECK(rank(offer, password(), true) == list{"SCRAM-SHA-1", "PLAIN"});
    CHECK(rank({"GSSAPI", "NTLM"}, password(), true).empty());
    CHECK_FALSE(choose({"GSSAPI"}, password(), true));
    CHECK_FALSE(choose({}, password(), true));
}

TEST_CASE("no PLAIN, LOGIN or bearer tokens without TLS unless allowed") {
    const list offer{"PLAIN", "LOGIN", "XOAUTH2", "OAUTHBEARER"};
    CHECK(rank(offer, password(), false).empty());
    CHECK(rank(offer, token(), false).empty());
    CHECK_FALSE(choose(offer, password(), false));
    // The hashing mechanisms stay usable in the clear.
    CHECK(rank({"PLAIN", "CRAM-MD5", "SCRAM-SHA-1"}, password(), false) == list{"SCRAM-SHA-1", "CRAM-MD5"});

    selection_options opts;
    opts.allow_cleartext_secrets = true;
    CHECK(rank(offer, password(), false, opts) == list{"PLAIN", "LOGIN"});
    CHECK(rank(offer, token(), false, opts) == list{"OAUTHBEARER", "XOAUTH2"});
}

TEST_CASE("credentials decide: password mechanisms need a password, token ones a token") {
    const list offer{"SCRAM-SHA-256", "PLAIN", "XOAUTH2", "OAUTHBEARER"};
    CHECK(rank(offer, password(), true) == list{"SCRAM-SHA-256", "PLAIN"});
    CHECK(rank(offer, token(), true) == list{"OAUTHBEARER", "XOAUTH2"});
    credentials both = password();
    both.oauth_token = "t";
    CHECK(rank(offer, both, true) == list{"SCRAM-SHA-256", "PLAIN", "OAUTHBEARER", "XOAUTH2"});
    credentials token_only;
    token_only.oauth_token = "t";  // XOAUTH2 needs a user, OAUTHBEARER does not
    CHECK(rank(offer, token_only, true) == list{"OAUTHBEARER"});
    CHECK(rank(offer, credentials{}, true).empty());
}

TEST_CASE("allowed restricts the choice, EXTERNAL only when named") {
    const list offer{"EXTERNAL", "SCRAM-SHA-256", "PLAIN"};
    CHECK(rank(offer, password(), true) == list{"SCRAM-SHA-256", "PLAIN"});

    selection_options only_plain;
    only_plain.allowed = {"plain"};
    CHECK(rank(offer, password(), true, only_plain) == list{"PLAIN"});
    CHECK(rank(offer, password(), false, only_plain).empty());

    selection_options ext;
    ext.allowed = {"external", "SCRAM-SHA-256"};
    CHECK(rank(offer, credentials{}, true, ext) == list{"EXTERNAL"});
    CHECK(rank(offer, password(), true, ext) == list{"SCRAM-SHA-256", "EXTERNAL"});
    CHECK(rank({"SCRAM-SHA-256"}, password(), true, ext) == list{"SCRAM-SHA-256"});  // not offered
}
