// The spool entry codec and the retry schedule: round trips with hostile
// bytes, every truncation and one-byte damage of a .meta refused (never
// half-read), backoff growth, cap and jitter bounds, per-recipient
// bookkeeping (partial delivery, 5xx, lifetime).
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <ostream>
#include <string>

#include "pigeon/store/destination.hpp"
#include "pigeon/store/retry_schedule.hpp"
#include "pigeon/store/spool_entry.hpp"

using namespace pigeon::store;
using namespace std::chrono_literals;

namespace {

spool_recipient pending(const char* address) { return {address, recipient_state::pending, {}}; }

spool_entry sample() {
    spool_entry e;
    e.id = "20261206T101500Z-3f9a2c";
    e.created = 1796551200;
    e.next_attempt = 1796551500;
    e.last_attempt = 1796551200;
    e.attempts = 1;
    e.from = "alerts@lab.test";
    e.recipients = {{"bob@lab.test", recipient_state::pending, "451 4.7.1 try later"},
                    {"\"odd name%\"@lab.test", recipient_state::delivered, ""},
                    {"carol@lab.test", recipient_state::failed, "550 5.1.1 no such user\r\nsecond line"}};
    e.notify = "SUCCESS,FAILURE";
    e.ret = "HDRS";
    e.envid = "QQ 314";
    e.size = 1234;
    e.last_error = "connection refused";
    e.settings = {{"server", "smtp://127.0.0.1:2525"}, {"account", "lab"}, {"password_command", "pass show x"}};
    return e;
}

} // namespace

TEST_CASE("spool entry: encode then parse gives the same entry") {
    const spool_entry e = sample();
    const std::string text = encode_entry(e);
    spool_entry back;
    REQUIRE_FALSE(parse_entry(text, back));
    CHECK(back == e);
    CHECK(back.setting("account") == "lab");
    CHECK(back.setting("missing").empty());
    CHECK(text.find('\r') == std::string::npos);  // server text cannot break a line
    spool_entry empty_fields = e;
    empty_fields.from.clear();  // the null reverse path
    empty_fields.notify.clear();
    REQUIRE_FALSE(parse_entry(encode_entry(empty_fields), back));
    CHECK(back == empty_fields);
}

TEST_CASE("spool entry: every truncation is refused as corrupt, never half-read") {
    const std::string text = encode_entry(sample());
    spool_entry out;
    for (std::size_t n = 0; n < text.size(); ++n) {
        const auto ec = parse_entry(std::string_view(text).substr(0, n), out);
        CHECK_MESSAGE(ec == errc::corrupt_entry, "prefix of " << n << " bytes accepted");
    }
}

TEST_CASE("spool entry: damaged bytes are refused or parsed, never crash") {
    const std::string text = encode_entry(sample());
    spool_entry out;
    std::size_t refused = 0;
    for (std::size_t i = 0; i < text.size(); ++i)
        for (char c : {'\0', '\n', '\t', '%', 'Z', '\xff'}) {
            std::string bad = text;
            bad[i] = c;
            if (parse_entry(bad, out)) ++refused;
        }
    CHECK(refused > text.size());  // most damage is detected
    CHECK(parse_entry("pigeon-spool 2\nend\n", out) == errc::corrupt_entry);
    // The minimal entry parses (the null reverse path, a recipient).
    CHECK_FALSE(parse_entry("pigeon-spool 1\nid\tx\nfrom\t\nrcpt\tpending\ta@b\t\nend\n", out));
    CHECK(to_string(recipient_state::failed) == std::string("failed"));
    CHECK(parse_entry("pigeon-spool 1\nid\tx\nfrom\ta@b\nrcpt\tmaybe\ta@b\t\nend\n", out) == errc::corrupt_entry);
    CHECK(parse_entry("pigeon-spool 1\nid\tx\nfrom\ta@b\nend\n", out) == errc::corrupt_entry);  // no recipient
    CHECK(parse_entry("pigeon-spool 1\nid\t../x\nfrom\ta@b\nrcpt\tpending\ta@b\t\nend\n", out) == errc::corrupt_entry);
    CHECK(parse_entry("pigeon-spool 1\nid\tx\nfrom\ta@b\nrcpt\tpending\ta@b\t\nattempts\t-1\nend\n", out) ==
          errc::corrupt_entry);
    CHECK(parse_entry("pigeon-spool 1\nid\tx\nfrom\ta@b\nrcpt\tpending\ta@b\t%4\nend\n", out) == errc::corrupt_entry);
    CHECK_FALSE(parse_entry("pigeon-spool 1\nid\tx\nfrom\ta@b\nrcpt\tpending\ta@b\t\nfuture\tthing\nend\n", out));
}

TEST_CASE("spool entry: ids") {
    CHECK(valid_entry_id("20261206T101500Z-3f9a2c"));
    CHECK_FALSE(valid_entry_id(""));
    CHECK_FALSE(valid_entry_id(".hidden"));
    CHECK_FALSE(valid_entry_id("a/b"));
    CHECK_FALSE(valid_entry_id(std::string(65, 'a')));
}

TEST_CASE("retry: exponential backoff, capped, jitter within bounds") {
    retry_policy p;
    p.first_delay = 60s;
    p.max_delay = 3600s;
    p.jitter = 0;
    CHECK(backoff_delay(1, p, 0.7) == 60s);
    CHECK(backoff_delay(2, p, 0.7) == 120s);
    CHECK(backoff_delay(4, p, 0.7) == 480s);
    CHECK(backoff_delay(7, p, 0.7) == 3600s);  // 3840 capped
    CHECK(backoff_delay(4000000000u, p, 0.7) == 3600s);
    p.jitter = 0.5;
    CHECK(backoff_delay(3, p, 0.0) == 120s);  // half of 240 fixed, half drawn
    CHECK(backoff_delay(3, p, 0.999) >= 239s);
    CHECK(backoff_delay(3, p, 0.5) == 180s);
    p.first_delay = 0s;
    CHECK(backoff_delay(1, p, 0.0) >= 1s);
}

TEST_CASE("retry: partial delivery keeps only the refused recipient pending") {
    spool_entry e = sample();
    e.recipients = {pending("a@lab.test"), pending("b@lab.test"), pending("c@lab.test")};
    e.attempts = 0;
    e.created = 1000;
    retry_policy p;
    p.jitter = 0;
    p.first_delay = 60s;
    auto step = record_attempt(e,
                               {{"a@lab.test", outcome::accepted, "250 ok"},
                                {"b@lab.test", outcome::temporary, "450 4.2.0 later"},
                                {"c@lab.test", outcome::permanent, "550 5.1.1 unknown"}},
                               "", 1000, p, 0.3);
    CHECK(step == entry_step::retry);
    CHECK(e.recipients[0].state == recipient_state::delivered);
    CHECK(e.recipients[1].state == recipient_state::pending);
    CHECK(e.recipients[1].last_reply == "450 4.2.0 later");
    CHECK(e.recipients[2].state == recipient_state::failed);
    CHECK(e.attempts == 1);
    CHECK(e.next_attempt == 1060);
    CHECK_FALSE(is_due(e, 1059));
    CHECK(is_due(e, 1060));
    // A connection failure names nobody: states unchanged, delay doubles.
    step = record_attempt(e, {}, "connection refused", 1060, p, 0.3);
    CHECK(step == entry_step::retry);
    CHECK(e.next_attempt == 1060 + 120);
    CHECK(e.last_error == "connection refused");
    // An outcome for a delivered recipient is ignored (never sent twice).
    step = record_attempt(e, {{"a@lab.test", outcome::permanent, "550"}, {"b@lab.test", outcome::accepted, "250"}}, "",
                          1200, p, 0.3);
    CHECK(step == entry_step::done);
    CHECK(e.recipients[0].state == recipient_state::delivered);
    CHECK(e.count(recipient_state::delivered) == 2);
}

TEST_CASE("retry: the lifetime ends with the pending recipients failed") {
    spool_entry e;
    e.id = "x";
    e.recipients = {pending("a@lab.test")};
    e.created = 0;
    retry_policy p;
    p.lifetime = 5 * 24h;
    CHECK(record_attempt(e, {}, "timeout", 5 * 86400 - 1, p, 0.5) == entry_step::retry);
    CHECK(record_attempt(e, {}, "timeout", 5 * 86400, p, 0.5) == entry_step::expired);
    CHECK(e.recipients[0].state == recipient_state::failed);
}

TEST_CASE("spool entry: the fuzz seed is a whole entry") {
    std::ifstream f(std::string(PIGEON_SOURCE_DIR) + "/fuzz/seeds/spool_entry/entry.meta", std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    spool_entry e;
    REQUIRE_FALSE(parse_entry(text, e));
    CHECK(e.recipients.size() == 2);
    CHECK(e.recipients[1].last_reply == "550 5.1.1 no\nsuch user");
    CHECK(e.envid == "QQ\t314");
    CHECK(encode_entry(e) == text);
}
