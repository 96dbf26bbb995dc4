#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include "pigeon/imap/session.hpp"

using namespace pigeon::imap;

namespace {

session greeted(std::vector<std::string> caps, bool tls) {
    session s;
    s.on_greeting(condition::ok);
    if (tls) s.on_tls_established();
    s.on_capabilities(capabilities::parse(caps));
    return s;
}

} // namespace

TEST_CASE("literal options follow LITERAL+ and LITERAL-") {
    CHECK_FALSE(greeted({"IMAP4rev1"}, true).literals().non_synchronizing);
    auto plus = greeted({"LITERAL+"}, true).literals();
    CHECK(plus.non_synchronizing);
    CHECK(plus.non_sync_max > 1u << 30);
    auto minus = greeted({"LITERAL-"}, true).literals();
    CHECK(minus.non_synchronizing);
    CHECK(minus.non_sync_max == 4096);
}
